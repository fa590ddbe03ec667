/// The documented defaults of `modelarts.*` (DESIGN §6), written once: the client, the IAM token provider,
/// the engine and the daemon's configuration all take them from here.
extension ModelArtsClientConfiguration {
    public enum Defaults {
        /// `modelarts.connect_timeout`.
        public static let connectTimeout: Duration = .seconds(5)
        /// `modelarts.request_timeout`.
        public static let requestTimeout: Duration = .seconds(30)
        /// `modelarts.rate_limit`: calls per second. No ModelArts page documents the account's real limit;
        /// the limiter adapts below this when the gateway throttles.
        public static let rate: Double = 10
        /// `modelarts.burst`.
        public static let burst = 20
        /// `modelarts.concurrency`.
        public static let concurrency = 4
    }
}
