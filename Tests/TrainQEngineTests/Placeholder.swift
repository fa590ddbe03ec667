import Testing
@testable import TrainQEngine

@Test func TrainQEngineTestsBuilds() {}
