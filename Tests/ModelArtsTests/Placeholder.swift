import Testing
@testable import ModelArts

@Test func ModelArtsTestsBuilds() {}
