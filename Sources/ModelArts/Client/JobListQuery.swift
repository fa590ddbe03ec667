/// The filters of list-jobs (reference §2.9). Absent values are not sent; the service's defaults apply.
public struct JobListQuery: Sendable, Hashable {
    public enum SortKey: String, Sendable, CaseIterable {
        case jobName = "job_name", jobDesc = "job_desc", status, duration
        case versionCount = "version_count", createTime = "create_time"
    }

    public enum Order: String, Sendable, CaseIterable {
        case ascending = "asc", descending = "desc"
    }

    public var status: Int?
    public var perPage: Int?
    public var page: Int?
    public var sortBy: SortKey?
    public var order: Order?
    public var searchContent: String?
    public var workspaceID: String?

    public init(status: Int? = nil, perPage: Int? = nil, page: Int? = nil, sortBy: SortKey? = nil, order: Order? = nil,
                searchContent: String? = nil, workspaceID: String? = nil) {
        self.status = status
        self.perPage = perPage
        self.page = page
        self.sortBy = sortBy
        self.order = order
        self.searchContent = searchContent
        self.workspaceID = workspaceID
    }

    /// What is wrong with these values by the documented ranges; empty when fine.
    public func problems() -> [String] {
        var problems: [String] = []
        if let perPage, !(1...1000).contains(perPage) { problems.append("per_page must be 1-1000, got \(perPage)") }
        if let page, !(1...65535).contains(page) { problems.append("page must be 1-65535, got \(page)") }
        if let searchContent, searchContent.count > 64 { problems.append("search_content must be at most 64 characters") }
        return problems
    }

    var items: [RequestTarget.QueryItem] {
        var items: [RequestTarget.QueryItem] = []
        if let status { items.append(.init(name: "status", value: String(status))) }
        if let perPage { items.append(.init(name: "per_page", value: String(perPage))) }
        if let page { items.append(.init(name: "page", value: String(page))) }
        if let sortBy { items.append(.init(name: "sortBy", value: sortBy.rawValue)) }
        if let order { items.append(.init(name: "order", value: order.rawValue)) }
        if let searchContent { items.append(.init(name: "search_content", value: searchContent)) }
        if let workspaceID { items.append(.init(name: "workspace_id", value: workspaceID)) }
        return items
    }
}
