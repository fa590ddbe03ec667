import Testing
@testable import TrainQServer

@Test func TrainQServerTestsBuilds() {}
