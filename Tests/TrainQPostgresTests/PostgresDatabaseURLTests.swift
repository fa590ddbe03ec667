import Testing
import TrainQPostgres

@Suite struct PostgresDatabaseURLTests {
    @Test func theDocumentedFormIsReadWithItsDefaults() throws {
        let url = try PostgresDatabaseURL(parsing: "postgresql://trainq@db.example:6432/queue")
        #expect(url == PostgresDatabaseURL(user: "trainq", host: "db.example", port: 6432, database: "queue", tlsMode: .prefer))
        let plain = try PostgresDatabaseURL(parsing: "postgres://trainq@127.0.0.1/queue?sslmode=require")
        #expect(plain.port == 5432 && plain.tlsMode == .require)
        #expect(plain.description == "postgresql://trainq@127.0.0.1:5432/queue?sslmode=require")
    }

    @Test func aPasswordInTheURLIsRefusedAndSaysWhereItGoes() {
        #expect {
            try PostgresDatabaseURL(parsing: "postgresql://trainq:secret@db/queue")
        } throws: { error in
            let problem = (error as? PostgresConfigurationError)?.problem ?? ""
            return problem.contains("database.password_file") && !problem.contains("secret")
        }
    }

    @Test(arguments: [
        "mysql://trainq@db/queue", "postgresql://db/queue", "postgresql://trainq@/queue", "postgresql://trainq@db",
        "postgresql://trainq@db/queue?sslmode=verify-full", "postgresql://trainq@db/queue?application_name=x", "not a url",
        "postgresql://trainq@db:70000/queue",
    ])
    func whatCannotBeUsedIsRefusedUnderItsKey(text: String) {
        #expect {
            try PostgresDatabaseURL(parsing: text, key: "TRAINQ_DATABASE_URL")
        } throws: { error in
            (error as? PostgresConfigurationError)?.key == "TRAINQ_DATABASE_URL"
        }
    }
}
