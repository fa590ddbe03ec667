import HTTPTypes
import NIOCore
import NIOHTTP1
import NIOHTTPTypes
import Testing

@testable import TrainQServer

/// Which requests the intake handler answers itself, and that answers keep the order of requests.
@Suite struct IntakeHandlerStateMachineTests {
    typealias Machine = IntakeHandler.StateMachine

    static func head(_ method: HTTPRequest.Method, _ path: String, _ fields: HTTPFields = [:]) -> HTTPRequestPart {
        .head(HTTPRequest(method: method, scheme: nil, authority: nil, path: path, headerFields: fields))
    }

    static func body(_ text: String) -> HTTPRequestPart { .body(ByteBuffer(string: text)) }

    static func describe(_ action: Machine.ReadAction) -> String {
        switch action {
        case .forward: "forward"
        case .keep: "keep"
        case .accept(_, let body): "accept \(String(buffer: body))"
        case .refuse(let error): "refuse \(error.status.code)"
        }
    }

    @Test func takesASubmissionWholeAndForwardsEverythingElse() {
        var machine = Machine(maxBodyBytes: 100)
        let actions = [
            Self.head(.get, "/v1/health"), .end(nil),
            Self.head(.post, "/v1/submissions/batch"), Self.body("{}"), .end(nil),
        ].map { Self.describe(machine.read($0)) }
        #expect(actions == ["forward", "forward", "forward", "forward", "forward"])
        // The router has not answered those two yet: a submission now must wait behind them, so it goes there too.
        #expect(Self.describe(machine.read(Self.head(.post, "/v1/submissions"))) == "forward")
        #expect(Self.describe(machine.read(.end(nil))) == "forward")
        machine.routerAnswerEnded()
        machine.routerAnswerEnded()
        machine.routerAnswerEnded()
        let taken = [Self.head(.post, "/v1/submissions"), Self.body("{\"a\":"), Self.body("1}"), .end(nil)].map { Self.describe(machine.read($0)) }
        #expect(taken == ["keep", "keep", "keep", "accept {\"a\":1}"])
        #expect(machine.holdsReads)
    }

    @Test func partsThatArriveDuringAnAnswerWaitAndComeBackInOrder() {
        var machine = Machine(maxBodyBytes: 100)
        _ = [Self.head(.post, "/v1/submissions"), Self.body("{}"), .end(nil)].map { machine.read($0) }
        let during = [Self.head(.get, "/v1/health"), .end(nil), Self.head(.post, "/v1/submissions"), Self.body("{\"b\":2}"), .end(nil)]
        #expect(during.map { Self.describe(machine.read($0)) } == ["keep", "keep", "keep", "keep", "keep"])
        #expect(!machine.answerCloses)
        guard case .resume(let waited) = machine.answerWritten() else {
            Issue.record("the answer did not close the connection")
            return
        }
        let parts = waited.compactMap { inbound -> HTTPRequestPart? in
            if case .part(let part) = inbound { return part }
            return nil
        }
        #expect(parts.count == during.count)
        #expect(!machine.holdsReads)
        // Replayed: the health check goes to the router, so the next submission follows it there.
        #expect(parts.map { Self.describe(machine.read($0)) } == ["forward", "forward", "forward", "forward", "forward"])
    }

    @Test func aBodyOverTheLimitIsReadToItsEndAndRefused() {
        var machine = Machine(maxBodyBytes: 8)
        let actions = [Self.head(.post, "/v1/submissions"), Self.body("12345"), Self.body("67890"), Self.body("x"), .end(nil)]
            .map { Self.describe(machine.read($0)) }
        #expect(actions == ["keep", "keep", "keep", "keep", "refuse 413"])
        guard case .resume = machine.answerWritten() else {
            Issue.record("413 must keep the connection")
            return
        }
        // Exactly at the limit is fine.
        let exact = [Self.head(.post, "/v1/submissions"), Self.body("12345678"), .end(nil)].map { Self.describe(machine.read($0)) }
        #expect(exact == ["keep", "keep", "accept 12345678"])
    }

    @Test func connectionCloseEndsTheConnectionAfterTheAnswer() {
        var machine = Machine(maxBodyBytes: 100)
        _ = [Self.head(.post, "/v1/submissions", [.connection: "Close"]), Self.body("{}"), .end(nil)].map { machine.read($0) }
        #expect(Self.describe(machine.read(Self.head(.get, "/v1/health"))) == "keep")
        #expect(machine.answerCloses)
        guard case .close = machine.answerWritten() else {
            Issue.record("Connection: close must close")
            return
        }
        #expect(machine.holdsReads)
        #expect(Self.describe(machine.read(.end(nil))) == "keep")
    }

    static func describe(_ action: Machine.ErrorAction) -> String {
        switch action {
        case .pass: "pass"
        case .keep: "keep"
        case .refuse(let error): "refuse \(error.status.code)"
        }
    }

    @Test func aParserErrorIsOursWhileASubmissionIsReadAndWaitsItsTurnWhileOneIsAnswered() {
        var machine = Machine(maxBodyBytes: 100)
        #expect(Self.describe(machine.error(HTTPParserError.invalidVersion)) == "pass")
        _ = machine.read(Self.head(.post, "/v1/submissions"))
        #expect(Self.describe(machine.error(HTTPParserError.invalidVersion)) == "refuse 400")
        #expect(machine.answerCloses)

        var forwarding = Machine(maxBodyBytes: 100)
        _ = forwarding.read(Self.head(.get, "/v1/health"))
        #expect(Self.describe(forwarding.error(HTTPParserError.invalidVersion)) == "pass")

        // Pipelined: a request that waits, then the decoder's error. The error must not overtake it.
        var answering = Machine(maxBodyBytes: 100)
        _ = [Self.head(.post, "/v1/submissions"), .end(nil)].map { answering.read($0) }
        _ = answering.read(Self.head(.get, "/v1/health"))
        _ = answering.read(.end(nil))
        #expect(Self.describe(answering.error(HTTPParserError.invalidVersion)) == "keep")
        guard case .resume(let waited) = answering.answerWritten() else {
            Issue.record("expected to resume")
            return
        }
        let order = waited.map { inbound -> String in
            switch inbound {
            case .part(.head): "head"
            case .part(.body): "body"
            case .part(.end): "end"
            case .error: "error"
            }
        }
        #expect(order == ["head", "end", "error"])
    }

    @Test func otherMethodsAndPathsOfSubmissionsGoToTheRouter() {
        for (method, path) in [(HTTPRequest.Method.get, "/v1/submissions"), (.post, "/v1/submissions?x=1"), (.post, "/v1/submissions/abc/cancel"), (.put, "/v1/submissions")] {
            var machine = Machine(maxBodyBytes: 100)
            #expect(Self.describe(machine.read(Self.head(method, path))) == "forward", "\(method) \(path)")
        }
    }
}
