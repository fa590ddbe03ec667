import CSQLite
import Foundation
import Testing

@testable import TrainQStore

@Suite struct SQLiteWrapperTests {
    @Test func bindsAndReadsEveryTypeByIndexAndByName() async throws {
        try await withTemporaryDirectory { directory async throws in
            let connection = try SQLiteConnection(path: directory.appendingPathComponent("t.db").path)
            try connection.exec("CREATE TABLE t (i INTEGER, r REAL, s TEXT, b BLOB, n TEXT)")
            let insert = try connection.prepare("INSERT INTO t VALUES (?, ?, ?, ?, ?)")
            try insert.bind(Int64.max, at: 1)
            try insert.bind(2.5, at: 2)
            try insert.bind("naïve \u{0}zero", at: 3)
            try insert.bind(Data([0, 1, 2, 255]), at: 4)
            try insert.bind(nil as String?, at: 5)
            try insert.run()

            let named = try connection.prepare("INSERT INTO t VALUES (:i, :r, :s, :b, :n)")
            try named.bind(-7 as Int64, named: ":i")
            try named.bind(nil as Double?, named: ":r")
            try named.bind("", named: ":s")
            try named.bind(Data(), named: ":b")
            try named.bind("x", named: ":n")
            try named.run()

            let select = try connection.prepare("SELECT i, r, s, b, n FROM t ORDER BY rowid")
            #expect(try select.step())
            #expect(select.int64(0) == Int64.max)
            #expect(select.double(1) == 2.5)
            #expect(select.string(2) == "naïve \u{0}zero")
            #expect(select.data(3) == Data([0, 1, 2, 255]))
            #expect(select.string(4) == nil)
            #expect(select.isNull(4))
            #expect(try select.step())
            #expect(select.int64("i") == -7)
            #expect(select.double("r") == nil)
            #expect(select.string("s") == "")
            // An empty blob is stored as a blob, not as NULL.
            #expect(select.data("b") == Data())
            #expect(select.string("n") == "x")
            #expect(try !select.step())
        }
    }

    @Test func unknownParameterNameIsAnError() async throws {
        try await withTemporaryDirectory { directory async throws in
            let connection = try SQLiteConnection(path: directory.appendingPathComponent("t.db").path)
            let select = try connection.prepare("SELECT :a")
            #expect(throws: SQLiteError.self) { try select.bind(1 as Int64?, named: ":b") }
        }
    }

    @Test func errorsCarryPrimaryAndExtendedCodes() async throws {
        try await withTemporaryDirectory { directory async throws in
            let connection = try SQLiteConnection(path: directory.appendingPathComponent("t.db").path)
            try connection.exec("CREATE TABLE t (k TEXT PRIMARY KEY)")
            try connection.exec("INSERT INTO t VALUES ('a')")
            let insert = try connection.prepare("INSERT INTO t VALUES ('a')")
            let error = try #require(throws: SQLiteError.self) { try insert.run() }
            #expect(error.resultCode == SQLITE_CONSTRAINT)
            // SQLITE_CONSTRAINT_PRIMARYKEY is a C macro Swift does not import.
            #expect(error.extendedResultCode == SQLITE_CONSTRAINT | (6 << 8))
            #expect(error.message.contains("UNIQUE"))
            #expect(error.sql == "INSERT INTO t VALUES ('a')")
            #expect(!error.isStorageFailure)

            let syntax = try #require(throws: SQLiteError.self) { try connection.prepare("SELEC 1") }
            #expect(syntax.resultCode == SQLITE_ERROR)
        }
    }

    @Test func transactionRollsBackWhenTheBodyThrows() async throws {
        struct Abort: Error {}
        try await withTemporaryDirectory { directory async throws in
            let connection = try SQLiteConnection(path: directory.appendingPathComponent("t.db").path)
            try connection.exec("CREATE TABLE t (v INTEGER)")
            #expect(throws: Abort.self) {
                try connection.transaction {
                    try connection.exec("INSERT INTO t VALUES (1)")
                    #expect(connection.isInTransaction)
                    throw Abort()
                }
            }
            #expect(!connection.isInTransaction)
            #expect(try connection.scalarInt64("SELECT COUNT(*) FROM t") == 0)

            // A named function rather than a closure literal: with Swift 6.3.1, a closure literal passed
            // here after the `#expect(throws:)` closure above was handed that earlier closure instead.
            func insertWithFailingSavepoint() throws {
                try connection.exec("INSERT INTO t VALUES (1)")
                // A failing savepoint undoes only its own part.
                _ = try? connection.savepoint("inner") {
                    try connection.exec("INSERT INTO t VALUES (2)")
                    throw Abort()
                }
            }
            try connection.transaction(insertWithFailingSavepoint)
            #expect(try connection.scalarInt64("SELECT SUM(v) FROM t") == 1)
        }
    }

    @Test func cachedStatementsAreReusedAndReset() async throws {
        try await withTemporaryDirectory { directory async throws in
            let connection = try SQLiteConnection(path: directory.appendingPathComponent("t.db").path)
            try connection.exec("CREATE TABLE t (v INTEGER)")
            for value in 1...3 {
                let insert = try connection.cachedStatement("INSERT INTO t VALUES (?)")
                try insert.bind(Int64(value), at: 1)
                try insert.run()
            }
            let first = try connection.cachedStatement("SELECT v FROM t ORDER BY v")
            #expect(try first.step())
            #expect(first.int64(0) == 1)
            // Taken again mid-iteration: it starts over.
            let second = try connection.cachedStatement("SELECT v FROM t ORDER BY v")
            #expect(first === second)
            #expect(try second.step())
            #expect(second.int64(0) == 1)
        }
    }

    @Test func usingAClosedConnectionIsAnErrorNotACrash() async throws {
        try await withTemporaryDirectory { directory async throws in
            let connection = try SQLiteConnection(path: directory.appendingPathComponent("t.db").path)
            connection.close()
            connection.close()
            #expect(throws: SQLiteError.self) { try connection.exec("SELECT 1") }
        }
    }

    @Test func openingADirectoryFails() async throws {
        try await withTemporaryDirectory { directory async throws in
            let error = try #require(throws: SQLiteError.self) {
                try SQLiteConnection(path: directory.path)
            }
            #expect(error.resultCode == SQLITE_CANTOPEN)
        }
    }
}
