import HTTPTypes
import NIOCore
import NIOHTTP1
import NIOHTTPTypes

extension IntakeHandler {
    /// Which requests of a connection the intake handler answers itself, and which go on to the router.
    ///
    /// It takes a `POST /v1/submissions` only when every earlier request of the connection has its answer
    /// written, so that answers keep the order of requests. While it makes an answer, whatever else the
    /// connection sends waits here, and reading stops. A pure value: the handler carries out each action.
    struct StateMachine {
        enum State {
            /// Between requests: the next head decides who answers.
            case idle
            /// A request the router answers: its parts go on, up to its end.
            case forwarding
            /// A submission this handler answers, while its body arrives.
            case collecting(head: HTTPRequest, tooLarge: Bool)
            /// The body is complete and the answer is being made.
            case answering(closing: Bool)
            /// The answer said `Connection: close`; nothing more is read.
            case closed
        }

        /// What the connection delivered: a part, or an error of the decoder, which keeps its place in
        /// the order (an error after a waiting request must not overtake it).
        enum Inbound {
            case part(HTTPRequestPart)
            case error(any Error)
        }

        enum ReadAction {
            case forward
            /// Kept (body bytes, or a part that waits for the answer), nothing to do now.
            case keep
            case accept(head: HTTPRequest, body: ByteBuffer)
            case refuse(APIError)
        }

        private(set) var state: State = .idle
        /// Answers the router still owes, counted by the ends it writes.
        private var routerAnswersOwed = 0
        private var body = ByteBuffer()
        private var waiting: [Inbound] = []
        let maxBodyBytes: Int

        init(maxBodyBytes: Int) {
            self.maxBodyBytes = maxBodyBytes
        }

        static func isSubmission(_ head: HTTPRequest) -> Bool {
            head.method == .post && head.path == "/v1/submissions"
        }

        mutating func read(_ part: HTTPRequestPart) -> ReadAction {
            switch (state, part) {
            case (.answering, _):
                waiting.append(.part(part))
                return .keep
            case (.closed, _):
                return .keep
            case (.idle, .head(let head)):
                if routerAnswersOwed == 0, Self.isSubmission(head) {
                    state = .collecting(head: head, tooLarge: false)
                    body.clear()
                    return .keep
                }
                routerAnswersOwed += 1
                state = .forwarding
                return .forward
            case (.idle, _), (.forwarding, .head), (.forwarding, .body):
                return .forward
            case (.forwarding, .end):
                state = .idle
                return .forward
            case (.collecting(let head, let tooLarge), .body(let bytes)):
                if tooLarge || body.readableBytes + bytes.readableBytes > maxBodyBytes {
                    // Past the limit the rest is read and dropped, so the next request still parses.
                    state = .collecting(head: head, tooLarge: true)
                    body = ByteBuffer()
                } else if body.readableBytes == 0 {
                    body = bytes
                } else {
                    var more = bytes
                    body.writeBuffer(&more)
                }
                return .keep
            case (.collecting(let head, let tooLarge), .end):
                state = .answering(closing: head.headerFields[.connection]?.lowercased() == "close")
                if tooLarge { return .refuse(.bodyTooLarge) }
                let complete = body
                body = ByteBuffer()
                return .accept(head: head, body: complete)
            case (.collecting, .head):
                // The decoder ends one request before it starts the next; answer what there is.
                state = .answering(closing: true)
                return .refuse(.badRequest("the request is not valid HTTP/1.1 (a request began inside another)"))
            }
        }

        enum ErrorAction {
            case pass
            case keep
            case refuse(APIError)
        }

        /// An error from the decoder. The request being collected gets the 400 and the connection
        /// closes; while an answer is made the error waits its turn; otherwise it goes to the router.
        mutating func error(_ error: any Error) -> ErrorAction {
            switch state {
            case .collecting:
                guard let parserError = error as? HTTPParserError else { return .pass }
                state = .answering(closing: true)
                return .refuse(.badRequest("the request is not valid HTTP/1.1 (\(parserError))"))
            case .answering:
                waiting.append(.error(error))
                return .keep
            case .closed:
                return .keep
            case .idle, .forwarding:
                return .pass
            }
        }

        mutating func routerAnswerEnded() {
            routerAnswersOwed = max(0, routerAnswersOwed - 1)
        }

        /// Whether the answer being written ends the connection.
        var answerCloses: Bool {
            if case .answering(closing: true) = state { return true }
            return false
        }

        enum AfterAnswer {
            case close
            /// Go on with what waited, in order.
            case resume([Inbound])
        }

        mutating func answerWritten() -> AfterAnswer {
            guard case .answering(let closing) = state else { return .resume([]) }
            if closing {
                state = .closed
                waiting = []
                return .close
            }
            state = .idle
            defer { waiting = [] }
            return .resume(waiting)
        }

        /// Reading stops while an answer is being made or after the last one.
        var holdsReads: Bool {
            switch state {
            case .answering, .closed: return true
            case .idle, .forwarding, .collecting: return false
            }
        }
    }
}
