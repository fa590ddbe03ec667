import CSQLite

extension SQLiteConnection {
    /// Runs `body` in a `BEGIN IMMEDIATE` transaction: the write lock is taken at the start, so the
    /// transaction never fails half-way for want of it. Commits when `body` returns, rolls back when it
    /// throws or when the commit fails (full disk, I/O error), then rethrows.
    public func transaction<Result>(_ body: () throws -> Result) throws -> Result {
        try runCached("BEGIN IMMEDIATE")
        let result: Result
        do {
            result = try body()
            try runCached("COMMIT")
        } catch {
            rollbackIfOpen()
            throw error
        }
        return result
    }

    /// Runs `body` inside a savepoint of the current transaction: a failure undoes only what `body` did.
    public func savepoint<Result>(_ name: String, _ body: () throws -> Result) throws -> Result {
        try runCached("SAVEPOINT \(name)")
        do {
            let result = try body()
            try runCached("RELEASE \(name)")
            return result
        } catch {
            // SQLite may already have rolled the whole transaction back (SQLITE_FULL, SQLITE_IOERR).
            if isInTransaction {
                try? exec("ROLLBACK TO \(name)")
                try? exec("RELEASE \(name)")
            }
            throw error
        }
    }

    /// Ends an open transaction without keeping its changes; nothing to do if SQLite already did.
    public func rollbackIfOpen() {
        if isInTransaction {
            try? exec("ROLLBACK")
        }
    }

    /// Runs a statement without results through the statement cache: `exec` would compile it again on
    /// every call, and these run for every submission.
    private func runCached(_ sql: String) throws(SQLiteError) {
        let statement = try cachedStatement(sql)
        while try statement.step() {}
        statement.reset()
    }
}
