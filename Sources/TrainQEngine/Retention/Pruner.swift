import Foundation
import Logging
import ServiceLifecycle
import TrainQStore

/// Deletes ended submissions, with their attempts and events, once they are older than
/// `retention.terminal`, and gives the space back to the file system. It works in small batches, each its
/// own short transaction, so intake and the engine's writes never wait long behind it.
public actor Pruner: Service {
    enum State {
        case idle
        case running
        case finished
    }

    private var state: State = .idle
    private let store: any SubmissionStorage
    private let configuration: RetentionConfiguration
    private let now: @Sendable () -> Date
    private let logger: Logger

    init(
        store: any SubmissionStorage, configuration: RetentionConfiguration, now: @escaping @Sendable () -> Date = { Date() },
        logger: Logger
    ) {
        self.store = store
        self.configuration = configuration
        self.now = now
        self.logger = logger
    }

    public func run() async throws {
        guard case .idle = state else { return }
        state = .running
        defer { state = .finished }
        while !Task.isShuttingDownGracefully, !Task.isCancelled {
            if configuration.terminal != nil { await prune() }
            try? await cancelWhenGracefulShutdown { [interval = configuration.interval] in try await Task.sleep(for: interval) }
        }
    }

    /// One pass: deletes batch after batch until nothing ended before the cutoff is left, then gives the
    /// freed pages back. Returns how many submissions went.
    @discardableResult
    public func prune() async -> Int {
        guard let keep = configuration.terminal else { return 0 }
        let cutoff = now().adding(.zero - keep)
        var deleted = 0
        do {
            while !Task.isShuttingDownGracefully, !Task.isCancelled {
                let batch = try await store.pruneEnded(before: cutoff, limit: configuration.batchSize)
                deleted += batch
                guard batch == configuration.batchSize else { break }
                // Let the writes waiting behind this batch go first.
                await Task.yield()
            }
            if deleted > 0 {
                EngineMetrics.pruned(deleted)
                try await releaseFreePages()
                logger.info(
                    "deleted ended submissions past retention",
                    metadata: ["count": "\(deleted)", "ended_before": "\(cutoff)"])
            }
        } catch {
            logger.error("retention could not delete ended submissions", metadata: ["error": "\(error)"])
        }
        return deleted
    }

    /// Gives free pages back in steps, each its own short write.
    private func releaseFreePages() async throws {
        for _ in 0..<1_000 where !Task.isShuttingDownGracefully {
            guard try await store.releaseFreePages(configuration.pagesPerRelease) > 0 else { return }
            await Task.yield()
        }
    }
}
