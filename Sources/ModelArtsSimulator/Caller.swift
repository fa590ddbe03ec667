/// Who made a request, as far as the gateway is concerned; throttling budgets are per caller.
enum Caller: Sendable, Hashable {
    /// No credentials are configured, so nobody is asked for any.
    case anonymous
    case accessKey(String)
    case tokenUser(String)

    var throttleKey: String {
        switch self {
        case .anonymous: "anonymous"
        case .accessKey(let accessKey): "ak:" + accessKey
        case .tokenUser(let user): "user:" + user
        }
    }
}
