import Foundation
import Hummingbird
import JSONTree

/// A `POST /v2/{project_id}/training-job-searches` request (`JobSearches`, reference §4.3), parsed and
/// applied: filter, sort, then page.
///
/// `offset` is an item offset. The documents conflict (the API page calls it a page number, Huawei's
/// estimator SDK doc an item offset) and the reference leaves it UNVERIFIED; an item offset is the
/// reading under which a client that pages by `offset += count` neither skips nor repeats jobs.
/// `limit` and `offset` may also come in the query string (as in the OTC sample); the body wins.
struct TrainingJobSearch: Sendable, Hashable {
    enum Filter: Sendable, Hashable {
        /// `name` `like`: the name contains one of the values.
        case name([String])
        /// `phase` `in`.
        case phase(Set<TrainingJobPhase>)
        /// `kind` `in`.
        case kind(Set<String>)
        /// `create_time` `between`, epoch milliseconds, both ends included.
        case createTime(ClosedRange<Int64>)
    }

    static let limitRange = 1...50
    static let sortKeys = ["create_time", "name", "duration"]

    var offset = 0
    var limit = 10
    var sortBy = "create_time"
    var order = "desc"
    var groupBy = ""
    var filters: [Filter] = []

    static func parse(_ buffer: ByteBuffer, query: [String: String]) throws(ServiceError) -> TrainingJobSearch {
        var members: [String: JSONValue] = [:]
        if buffer.readableBytes > 0 {
            let document: JSONValue
            do {
                document = try JSONValue.parse(Data(buffer.readableBytesView))
            } catch {
                throw .invalidJSONBody()
            }
            guard let object = document.objectValue else { throw .invalidJSONBody() }
            members = object
        }
        var search = TrainingJobSearch()
        search.offset = try integer(members["offset"], query: query["offset"], name: "offset", range: 0...Int(Int32.max)) ?? 0
        search.limit = try integer(members["limit"], query: query["limit"], name: "limit", range: limitRange) ?? 10
        if let sortBy = members["sort_by"], sortBy != .null {
            guard let key = sortBy.stringValue, sortKeys.contains(key) else {
                throw .invalidTrainingJobParameter("sort_by must be one of [\(sortKeys.joined(separator: " "))]")
            }
            search.sortBy = key
        }
        if let order = members["order"], order != .null {
            guard let direction = order.stringValue, direction == "asc" || direction == "desc" else {
                throw .invalidTrainingJobParameter("order must be one of [asc desc]")
            }
            search.order = direction
        }
        search.groupBy = members["group_by"]?.stringValue ?? ""
        if let filters = members["filters"], filters != .null {
            guard let list = filters.arrayValue else { throw .invalidTrainingJobParameter("filters must be an array") }
            search.filters = try list.map { (filter) throws(ServiceError) in try parseFilter(filter) }
        }
        return search
    }

    private static func integer(_ value: JSONValue?, query: String?, name: String, range: ClosedRange<Int>) throws(ServiceError) -> Int? {
        let number: Int?
        if let value, value != .null {
            guard let integer = value.int64Value.flatMap({ Int(exactly: $0) }) else {
                throw .invalidTrainingJobParameter("\(name) must be an integer")
            }
            number = integer
        } else if let query, !query.isEmpty {
            guard let integer = Int(query) else { throw .invalidTrainingJobParameter("\(name) must be an integer") }
            number = integer
        } else {
            return nil
        }
        guard let number, range.contains(number) else {
            throw .invalidTrainingJobParameter("\(name) must be between \(range.lowerBound) and \(range.upperBound)")
        }
        return number
    }

    private static func parseFilter(_ filter: JSONValue) throws(ServiceError) -> Filter {
        guard filter.objectValue != nil else { throw .invalidTrainingJobParameter("a filter must be an object") }
        let key = filter["key"]?.stringValue ?? ""
        let operation = filter["operator"]?.stringValue ?? ""
        let expected: String
        switch key {
        case "name": expected = "like"
        case "phase", "kind": expected = "in"
        case "create_time": expected = "between"
        default: throw .invalidSearchFilter(code: "ModelArts.2807", "Invalid filter key: \(key).")
        }
        guard operation == expected else {
            throw .invalidSearchFilter(code: "ModelArts.2808", "Invalid filter operator: \(operation) for key \(key).")
        }
        let badValue = ServiceError.invalidSearchFilter(code: "ModelArts.2809", "Invalid filter value for key \(key).")
        guard let values = filter["value"]?.arrayValue?.compactMap(\.stringValue), values.count == filter["value"]?.arrayValue?.count,
              !values.isEmpty
        else { throw badValue }
        switch key {
        case "name":
            return .name(values)
        case "phase":
            let phases = values.compactMap(TrainingJobPhase.init(rawValue:))
            guard phases.count == values.count else { throw badValue }
            return .phase(Set(phases))
        case "kind":
            return .kind(Set(values))
        default:
            guard values.count == 2, let from = Int64(values[0]), let to = Int64(values[1]), from <= to else { throw badValue }
            return .createTime(from...to)
        }
    }

    func matches(_ job: SimulatedTrainingJob, snapshot: SimulatedTrainingJob.StateMachine.Snapshot) -> Bool {
        filters.allSatisfy { filter in
            switch filter {
            case .name(let parts): parts.contains { job.name.contains($0) }
            case .phase(let phases): phases.contains(snapshot.phase)
            case .kind(let kinds): kinds.contains(job.kind)
            case .createTime(let range): range.contains(job.createTime)
            }
        }
    }

    typealias Row = (job: SimulatedTrainingJob, snapshot: SimulatedTrainingJob.StateMachine.Snapshot)

    /// The matching rows, sorted (ties by id, so pages never overlap), and the requested page of them.
    func apply(to rows: [Row]) -> (count: Int, page: [Row]) {
        let matching = rows.filter { matches($0.job, snapshot: $0.snapshot) }.sorted { lhs, rhs in
            let ascending = precedes(lhs, rhs)
            let descending = precedes(rhs, lhs)
            if ascending == descending { return lhs.job.id < rhs.job.id }
            return order == "asc" ? ascending : descending
        }
        guard offset < matching.count else { return (matching.count, []) }
        return (matching.count, Array(matching[offset..<min(matching.count, offset + limit)]))
    }

    private func precedes(_ lhs: Row, _ rhs: Row) -> Bool {
        switch sortBy {
        case "name": lhs.job.name < rhs.job.name
        case "duration": lhs.snapshot.duration < rhs.snapshot.duration
        default: lhs.job.createTime < rhs.job.createTime
        }
    }
}
