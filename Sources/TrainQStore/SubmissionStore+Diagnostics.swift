/// Access for tests and diagnostics: raw SQL on the store's own connection and thread.
extension SubmissionStore {
    /// Runs `body` with the open connection, on the store's thread, outside any transaction.
    func withConnection<Result: Sendable>(_ body: (SQLiteConnection) throws -> Result) throws -> Result {
        let connection = try openConnection()
        do {
            return try body(connection)
        } catch {
            throw StoreError.wrapping(error)
        }
    }

    /// Jobs queued on the store's thread and not yet started.
    nonisolated var queuedJobCount: Int {
        executor.queuedJobCount
    }
}
