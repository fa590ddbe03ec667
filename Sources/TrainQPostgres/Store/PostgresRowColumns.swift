import Foundation
import PostgresNIO
import TrainQStore

/// A PostgreSQL row read by column name, for the decoder both stores share. A NULL, a missing column or
/// a value of another type reads as nil; the decoder says which required field was missing.
struct PostgresRowColumns: SubmissionColumns {
    let row: PostgresRandomAccessRow

    init(_ row: PostgresRow) {
        self.row = row.makeRandomAccess()
    }

    func string(_ name: String) -> String? {
        guard row.contains(name) else { return nil }
        return (try? row[name].decode(String?.self)) ?? nil
    }

    func int64(_ name: String) -> Int64? {
        guard row.contains(name) else { return nil }
        return (try? row[name].decode(Int64?.self)) ?? nil
    }

    func data(_ name: String) -> Data? {
        guard row.contains(name) else { return nil }
        return (try? row[name].decode(Data?.self)) ?? nil
    }
}
