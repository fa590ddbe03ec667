import Testing
@testable import TrainQAPI

@Test func EndToEndTestsBuilds() {}
