import Foundation
import TrainQAPI

extension SubmissionStore {
    public static let defaultEventLimit = 100
    public static let maximumEventLimit = 1_000

    /// The highest event seq committed so far (0 before the first event).
    public func lastSequence() -> Int64 {
        committedSequence
    }

    /// Events with a seq above `after`, oldest first, of one submission and/or one job when given;
    /// `limit` is kept within 1...`maximumEventLimit`. `lastSeq` is the highest seq of all events.
    public func events(
        after: Int64, submission: String? = nil, jobID: Int64? = nil, limit: Int = SubmissionStore.defaultEventLimit
    ) throws -> EventsPage {
        let limit = min(max(limit, 1), Self.maximumEventLimit)
        let events = try read { tables in
            try tables.events(after: after, submission: submission, jobID: jobID, limit: limit)
        }
        return EventsPage(events: events, lastSeq: max(committedSequence, events.last?.seq ?? 0))
    }

    /// Waits until an event with a seq above `after` is committed (true) or `timeout` passes, the
    /// task is cancelled or the store closes (false). Returns at once when such an event exists.
    /// The wait parks a continuation: the store's thread stays free meanwhile.
    public func waitForEvents(after: Int64, timeout: Duration) async -> Bool {
        if committedSequence > after { return true }
        guard case .open = state, timeout > .zero else { return false }
        let id = eventWaiters.reserveID()
        return await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                // Cancelled before parking: the handler's `endWait` may already have run and found nothing.
                guard !Task.isCancelled else {
                    continuation.resume(returning: false)
                    return
                }
                let timeoutTask = Task {
                    try? await Task.sleep(for: timeout)
                    self.endWait(id)
                }
                eventWaiters.add(id: id, after: after, continuation: continuation, timeout: timeoutTask)
            }
        } onCancel: {
            Task { await self.endWait(id) }
        }
    }

    /// Resumes one waiter with "no news": its timeout passed or its task was cancelled.
    private func endWait(_ id: Int) {
        guard let waiter = eventWaiters.remove(id) else { return }
        waiter.timeout?.cancel()
        waiter.continuation.resume(returning: false)
    }
}
