import Foundation
import NIOCore
import PostgresNIO
import TrainQAPI
import TrainQStore

/// Intake's one statement for a batch: a batch is one round trip (and, sent outside a transaction, one
/// commit) whatever its size. The rows' columns go as arrays (`unnest`; nullable text as a flag and a
/// value, since arrays of optionals do not encode); rows are inserted with `ON CONFLICT DO NOTHING`, so a
/// row whose idempotency key another transaction stored first is skipped (the conflict waits for that one
/// to commit, and the next statement sees its row) and gets no event; the event counter is raised by the
/// number stored, and each stored row gets its `queued` event, in the batch's order. The counter's row
/// lock, held to commit, gives seqs in commit order.
///
/// A prepared statement: planning this query took more of the server's CPU than running it.
struct PostgresInsertQueued: PostgresPreparedStatement {
    static let name = "trainq_insert_queued"

    static let sql = """
        WITH input AS (
            SELECT * FROM unnest($1::text[], $2::int8[], $3::text[], $4::text[], $5::int8[], $6::bytea[],
                $7::bool[], $8::text[], $9::bytea[], $10::int8[], $11::text[], $12::bool[], $13::text[],
                $14::bool[], $15::text[])
                WITH ORDINALITY AS t (id, owner_uid, owner_user, project_id, job_id, request, keyed, key,
                    fingerprint, at, api, named, training_job_name, derived, from_job, position)
        ),
        inserted AS (
            INSERT INTO submissions (id, state, owner_uid, owner_user, project_id, job_id, request,
                idempotency_key, fingerprint, created_at, updated_at, next_attempt_at, attempt_count,
                budget_started_at, api, training_job_name, from_job, taken_by)
            SELECT id, 'queued', owner_uid, owner_user, project_id, job_id, request,
                CASE WHEN keyed THEN key END, fingerprint, at, at, at, 0, at, api,
                CASE WHEN named THEN training_job_name END, CASE WHEN derived THEN from_job END, $16::text
            FROM input ORDER BY position
            ON CONFLICT DO NOTHING
            RETURNING id
        ),
        stored AS (
            SELECT input.id, input.job_id, input.at, row_number() OVER (ORDER BY input.position) AS number,
                count(*) OVER () AS total
            FROM input JOIN inserted USING (id)
        ),
        counter AS (UPDATE event_counter SET seq = seq + (SELECT count(*) FROM inserted) RETURNING seq),
        appended AS (
            INSERT INTO events (seq, at, submission_id, job_id, state) OVERRIDING SYSTEM VALUE
            SELECT counter.seq - stored.total + stored.number, stored.at, stored.id, stored.job_id, 'queued'
            FROM counter, stored
            RETURNING submission_id, seq
        )
        SELECT submission_id, seq FROM appended
        """

    typealias Row = (String, Int64)

    let rows: [QueuedRow]
    let takenBy: String

    func makeBindings() throws -> PostgresBindings {
        var binds = PostgresBindings()
        binds.append(rows.map(\.id))
        binds.append(rows.map { Int64($0.submission.owner.uid) })
        binds.append(rows.map(\.submission.owner.user))
        binds.append(rows.map(\.submission.projectID))
        binds.append(rows.map(\.submission.jobID))
        binds.append(rows.map { ByteBuffer(bytes: $0.requestBytes) })
        binds.append(rows.map { $0.submission.idempotencyKey != nil })
        binds.append(rows.map { $0.submission.idempotencyKey ?? "" })
        binds.append(rows.map { ByteBuffer(bytes: $0.fingerprint) })
        binds.append(rows.map { EpochMilliseconds.from($0.submission.at) })
        binds.append(rows.map(\.submission.api.rawValue))
        binds.append(rows.map { $0.submission.trainingJobName != nil })
        binds.append(rows.map { $0.submission.trainingJobName ?? "" })
        binds.append(rows.map { $0.submission.fromJob != nil })
        binds.append(rows.map { $0.submission.fromJob ?? "" })
        binds.append(takenBy)
        return binds
    }

    func decodeRow(_ row: PostgresRow) throws -> Row {
        try row.decode((String, Int64).self)
    }
}

/// A new submission to store in `queued`, with its id, canonical request and fingerprint.
struct QueuedRow: Sendable {
    var id: String
    var submission: NewSubmission
    var requestBytes: [UInt8]
    var fingerprint: Data
}
