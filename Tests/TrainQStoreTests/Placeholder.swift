import Testing
@testable import TrainQStore

@Test func TrainQStoreTestsBuilds() {}
