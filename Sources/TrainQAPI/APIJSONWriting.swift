import Foundation
import JSONTree

/// A socket API answer that writes its own JSON, straight into bytes.
///
/// `JSONEncoder` cost more CPU than anything else on the intake path (it builds a tree of boxed values,
/// sorts keys with string comparisons and formats dates through a closure). The answers sent most, a
/// submission, a page of them and a page of events, are written by hand; `APIJSONWritingTests` checks
/// that each writes the same document as its `Encodable` conformance. Keys are written in sorted order.
public protocol APIJSONWritable {
    func write(to writer: inout JSONWriter)
}

extension APIJSONWritable {
    /// The document followed by a newline, as the socket API sends it.
    public func apiJSONBytes() -> [UInt8] {
        var writer = JSONWriter(reservingCapacity: 1024)
        write(to: &writer)
        writer.bytes.append(UInt8(ascii: "\n"))
        return writer.bytes
    }
}

extension JSONWriter {
    mutating func write(timestamp: Date) {
        bytes.append(UInt8(ascii: "\""))
        APICoding.appendTimestamp(timestamp, to: &bytes)
        bytes.append(UInt8(ascii: "\""))
    }

    mutating func write(_ value: some APIJSONWritable) {
        value.write(to: &self)
    }

    mutating func write<Element: APIJSONWritable>(array: [Element]) {
        beginArray()
        for element in array {
            nextElement()
            element.write(to: &self)
        }
        endArray()
    }

    /// A member whose absence is written as `null` (SubmissionView's rule: every key is always there).
    mutating func member<Value>(_ name: StaticString, orNull value: Value?, _ write: (inout JSONWriter, Value) -> Void) {
        key(name)
        if let value { write(&self, value) } else { writeNull() }
    }

    /// A member left out when absent (what a synthesized `Encodable` conformance does).
    mutating func member<Value>(_ name: StaticString, ifPresent value: Value?, _ write: (inout JSONWriter, Value) -> Void) {
        guard let value else { return }
        key(name)
        write(&self, value)
    }
}

extension SubmissionView: APIJSONWritable {
    public func write(to writer: inout JSONWriter) {
        writer.beginObject()
        writer.key("api")
        writer.write(api.rawValue)
        writer.key("attempts")
        writer.write(array: attempts)
        writer.key("created_at")
        writer.write(timestamp: createdAt)
        writer.member("from_job", orNull: fromJob) { $0.write($1) }
        writer.key("history")
        writer.write(array: history)
        writer.key("id")
        writer.write(id)
        writer.member("job_id", orNull: api == .v1 ? jobID : nil) { $0.write($1) }
        writer.member("next_attempt_at", orNull: nextAttemptAt) { $0.write(timestamp: $1) }
        writer.key("owner")
        writer.write(owner)
        writer.key("project_id")
        writer.write(projectID)
        writer.member("reason", orNull: reason) { $0.write($1) }
        writer.member("remote_status", orNull: remoteStatus) { $0.write($1) }
        writer.key("request")
        writer.write(request)
        writer.key("state")
        writer.write(state.rawValue)
        writer.member("taken_by", orNull: takenBy) { $0.write($1) }
        writer.member("training_job_id", orNull: trainingJobID) { $0.write($1) }
        writer.member("training_job_name", orNull: trainingJobName) { $0.write($1) }
        writer.key("updated_at")
        writer.write(timestamp: updatedAt)
        writer.member("version_id", orNull: versionID) { $0.write($1) }
        writer.member("version_name", orNull: versionName) { $0.write($1) }
        writer.endObject()
    }
}

extension AttemptView: APIJSONWritable {
    public func write(to writer: inout JSONWriter) {
        writer.beginObject()
        writer.member("delay_ms", ifPresent: delayMS) { $0.write($1) }
        writer.member("error_code", ifPresent: errorCode) { $0.write($1) }
        writer.member("finished_at", ifPresent: finishedAt) { $0.write(timestamp: $1) }
        writer.member("http_status", ifPresent: httpStatus) { $0.write(Int64($1)) }
        writer.member("message", ifPresent: message) { $0.write($1) }
        writer.key("number")
        writer.write(Int64(number))
        writer.member("outcome", ifPresent: outcome) { $0.write($1) }
        writer.member("request_id", ifPresent: requestID) { $0.write($1) }
        writer.key("started_at")
        writer.write(timestamp: startedAt)
        writer.endObject()
    }
}

extension HistoryEntry: APIJSONWritable {
    public func write(to writer: inout JSONWriter) {
        writer.beginObject()
        writer.key("at")
        writer.write(timestamp: at)
        writer.member("reason", ifPresent: reason) { $0.write($1) }
        writer.member("remote_status", ifPresent: remoteStatus) { $0.write($1) }
        writer.key("seq")
        writer.write(seq)
        writer.key("state")
        writer.write(state.rawValue)
        writer.endObject()
    }
}

extension Owner: APIJSONWritable {
    public func write(to writer: inout JSONWriter) {
        writer.beginObject()
        writer.key("uid")
        writer.write(Int64(uid))
        writer.key("user")
        writer.write(user)
        writer.endObject()
    }
}

extension RemoteStatus: APIJSONWritable {
    public func write(to writer: inout JSONWriter) {
        writer.beginObject()
        writer.member("at", ifPresent: at) { $0.write(timestamp: $1) }
        writer.member("code", ifPresent: code) { $0.write(Int64($1)) }
        writer.key("name")
        writer.write(name)
        writer.endObject()
    }
}

extension SubmissionList: APIJSONWritable {
    public func write(to writer: inout JSONWriter) {
        writer.beginObject()
        writer.member("next_cursor", ifPresent: nextCursor) { $0.write($1) }
        writer.key("submissions")
        writer.write(array: submissions)
        writer.endObject()
    }
}

extension EventView: APIJSONWritable {
    public func write(to writer: inout JSONWriter) {
        writer.beginObject()
        writer.key("at")
        writer.write(timestamp: at)
        writer.member("job_id", orNull: jobID) { $0.write($1) }
        writer.member("reason", ifPresent: reason) { $0.write($1) }
        writer.member("remote_status", ifPresent: remoteStatus) { $0.write($1) }
        writer.key("seq")
        writer.write(seq)
        writer.key("state")
        writer.write(state.rawValue)
        writer.key("submission")
        writer.write(submission)
        writer.endObject()
    }
}

extension EventsPage: APIJSONWritable {
    public func write(to writer: inout JSONWriter) {
        writer.beginObject()
        writer.key("events")
        writer.write(array: events)
        writer.key("last_seq")
        writer.write(lastSeq)
        writer.endObject()
    }
}
