import Foundation

extension IAMTokenProvider {
    /// The token cache's decisions, as a pure value type: when to use the cached token, when to start a
    /// refresh, when to join the one in flight, and what a finished refresh leaves behind. The actor only
    /// carries out the actions (it owns the tasks and the clock).
    ///
    /// `Refresh` is the handle of an in-flight request (a `Task` in the actor, anything `Equatable` in tests).
    struct StateMachine<Refresh: Equatable> {
        enum State {
            case empty
            case valid(IAMToken)
            /// A token request is on its way; `previous` may still serve if it fails.
            case refreshing(Refresh, previous: IAMToken?)
            case shutDown
        }

        enum Action: Equatable {
            /// Hand out this token.
            case use(IAMToken)
            /// Start a token request, report it with `refreshStarted`, await it; on failure `fallback` may serve.
            case startRefresh(previous: IAMToken?, fallback: IAMToken?)
            /// Await the request already in flight.
            case join(Refresh, fallback: IAMToken?)
            /// The provider is shut down.
            case refuse
        }

        enum Completion: Equatable {
            case use(IAMToken)
            /// The refresh failed, but this token has not expired yet.
            case useFallback(IAMToken)
            case fail
        }

        private(set) var state: State = .empty
        /// No early refresh before this moment (set after one failed while the old token still worked).
        private(set) var quietUntil: Date?
        let refreshAhead: TimeInterval
        let retryRefreshAfter: TimeInterval

        init(refreshAhead: TimeInterval, retryRefreshAfter: TimeInterval) {
            self.refreshAhead = refreshAhead
            self.retryRefreshAfter = retryRefreshAfter
        }

        /// A caller wants a token.
        func tokenRequested(now: Date) -> Action {
            switch state {
            case .valid(let token):
                if now < token.expiresAt.addingTimeInterval(-refreshAhead) { return .use(token) }
                if let quietUntil, now < quietUntil, now < token.expiresAt { return .use(token) }
                return .startRefresh(previous: token, fallback: token)
            case .empty:
                return .startRefresh(previous: nil, fallback: nil)
            case .refreshing(let refresh, let previous):
                return .join(refresh, fallback: previous)
            case .shutDown:
                return .refuse
            }
        }

        /// The service refused `rejected`: never hand it out again.
        func tokenRejected(_ rejected: IAMToken) -> Action {
            switch state {
            case .valid(let token) where token.value != rejected.value:
                return .use(token)
            case .valid, .empty:
                return .startRefresh(previous: nil, fallback: nil)
            case .refreshing(let refresh, _):
                return .join(refresh, fallback: nil)
            case .shutDown:
                return .refuse
            }
        }

        mutating func refreshStarted(_ refresh: Refresh, previous: IAMToken?) {
            if case .shutDown = state { return }
            state = .refreshing(refresh, previous: previous)
        }

        /// A request finished. The first caller back records it (later ones find the state moved on).
        mutating func refreshFinished(_ refresh: Refresh, succeeded token: IAMToken?, fallback: IAMToken?, now: Date) -> Completion {
            if case .refreshing(let current, let previous) = state, current == refresh {
                if let token {
                    state = .valid(token)
                    quietUntil = nil
                } else {
                    state = previous.map { .valid($0) } ?? .empty
                    quietUntil = now.addingTimeInterval(retryRefreshAfter)
                }
            }
            if let token { return .use(token) }
            if let fallback, now < fallback.expiresAt { return .useFallback(fallback) }
            return .fail
        }

        /// Returns the request in flight, if any, so it can be cancelled.
        mutating func shutDown() -> Refresh? {
            defer { state = .shutDown }
            if case .refreshing(let refresh, _) = state { return refresh }
            return nil
        }
    }
}
