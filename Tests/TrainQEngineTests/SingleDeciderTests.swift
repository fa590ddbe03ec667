import Foundation
import Testing

/// The state machine is the only decider and the executor the only writer: a check over the sources, so
/// that a new service cannot quietly write a state of its own.
@Suite struct SingleDeciderTests {
    static let sources = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Sources")

    /// Every Swift file under Sources, by its path below it, with its text.
    static func sourceFiles() throws -> [(path: String, text: String)] {
        let enumerator = try #require(FileManager.default.enumerator(at: sources, includingPropertiesForKeys: nil))
        var files: [(String, String)] = []
        for case let url as URL in enumerator where url.pathExtension == "swift" {
            let path = String(url.path.dropFirst(sources.path.count + 1))
            files.append((path, try String(contentsOf: url, encoding: .utf8)))
        }
        return files
    }

    @Test func onlyTheStateMachineBuildsWritesAndOnlyTheExecutorAppliesThem() throws {
        let files = try Self.sourceFiles()
        #expect(files.count > 50)
        var builders: [String] = []
        var appliers: [String] = []
        var transitioners: [String] = []
        for (path, text) in files where !path.hasPrefix("TrainQStore/") {
            if text.contains("SubmissionWrite(") { builders.append(path) }
            if text.contains("store.apply(") { appliers.append(path) }
            if text.contains(".transition(id:") || text.contains("recordRemoteStatus(") { transitioners.append(path) }
        }
        #expect(builders == ["TrainQEngine/Decisions/Submission+StateMachine.swift"])
        #expect(appliers == ["TrainQEngine/Decisions/DecisionExecutor.swift"])
        #expect(transitioners.isEmpty, "state written outside the executor: \(transitioners)")
    }

    @Test func everyActionIsCarriedOutInOneSwitch() throws {
        let files = try Self.sourceFiles()
        let executor = try #require(files.first { $0.path.hasSuffix("DecisionExecutor.swift") }?.text)
        let actions = try #require(files.first { $0.path.hasSuffix("SubmissionStateMachine+Decision.swift") }?.text)
        // The cases of `Action`, as declared.
        let declaration = try #require(actions.range(of: "public enum Action")).upperBound
        let body = actions[declaration...].prefix { $0 != "}" }
        let cases = body.split(separator: "\n").compactMap { line -> String? in
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            guard trimmed.hasPrefix("case ") else { return nil }
            return String(trimmed.dropFirst(5).prefix { $0.isLetter })
        }
        #expect(cases.count >= 6)
        for name in cases {
            #expect(executor.contains("case .\(name)"), "DecisionExecutor.run does not carry out .\(name)")
        }
        #expect(!executor.contains("default:"), "the executor's switch must stay exhaustive")
    }
}
