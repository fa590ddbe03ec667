import Testing
@testable import ModelArtsSimulator

@Test func ModelArtsSimulatorTestsBuilds() {}
