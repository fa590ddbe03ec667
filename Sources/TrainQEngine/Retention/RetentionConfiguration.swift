/// `retention.*`: how long ended submissions are kept (DESIGN §6).
public struct RetentionConfiguration: Sendable, Hashable {
    /// `retention.terminal`: an ended submission (with its attempts and events) is deleted this long after
    /// its last change; nil keeps everything. Live submissions and `needs_attention` are never deleted.
    public var terminal: Duration?
    /// How often retention looks for what has aged out.
    public var interval: Duration
    /// Submissions deleted per transaction: small, so the writer is never held for long.
    public var batchSize: Int
    /// Free pages given back to the file system per step.
    public var pagesPerRelease: Int

    public init(
        terminal: Duration? = .seconds(30 * 86_400), interval: Duration = .seconds(600), batchSize: Int = 200,
        pagesPerRelease: Int = 1_000
    ) {
        self.terminal = terminal
        self.interval = interval
        self.batchSize = batchSize
        self.pagesPerRelease = pagesPerRelease
    }
}
