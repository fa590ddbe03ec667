import CSQLite

/// What the connection's commits appended to the write-ahead log: each commit writes every page it
/// changed as one WAL frame, so frames per submission is the page cost of an insert (issue #12 cuts it).
///
/// It lives in SQLite's WAL hook, which is also where SQLite's own auto-checkpoint runs. Installing
/// the hook replaces that, so the hook checkpoints the way the default does: a passive checkpoint once
/// the log holds `checkpointFrames` frames.
public final class WALWriteCounter {
    public private(set) var commits: Int64 = 0
    public private(set) var framesWritten: Int64 = 0
    /// Frames in the log after the last commit. A smaller count after a commit means the log was
    /// restarted from its start after a checkpoint, and all its frames are new.
    private var framesInLog: Int32 = 0
    let checkpointFrames: Int32

    /// SQLite's default auto-checkpoint threshold.
    public static let defaultCheckpointFrames: Int32 = 1_000

    init(checkpointFrames: Int32) {
        self.checkpointFrames = checkpointFrames
    }

    func committed(framesInLog frames: Int32) {
        commits += 1
        framesWritten += Int64(frames >= framesInLog ? frames - framesInLog : frames)
        framesInLog = frames
    }
}

extension SQLiteConnection {
    /// Counts every commit's WAL frames from now on (see `WALWriteCounter`). The connection keeps the
    /// counter; call once, on the thread that uses the connection.
    @discardableResult
    public func countWALWrites(checkpointFrames: Int32 = WALWriteCounter.defaultCheckpointFrames) throws(SQLiteError) -> WALWriteCounter {
        let handle = try openHandle()
        let counter = WALWriteCounter(checkpointFrames: checkpointFrames)
        walWriteCounter = counter
        sqlite3_wal_hook(handle, { context, database, name, frames in
            guard let context else { return SQLITE_OK }
            let counter = Unmanaged<WALWriteCounter>.fromOpaque(context).takeUnretainedValue()
            counter.committed(framesInLog: frames)
            if frames >= counter.checkpointFrames {
                // As SQLite's default hook: a failed passive checkpoint is retried at the next commit.
                _ = sqlite3_wal_checkpoint_v2(database, name, SQLITE_CHECKPOINT_PASSIVE, nil, nil)
            }
            return SQLITE_OK
        }, Unmanaged.passUnretained(counter).toOpaque())
        return counter
    }
}
