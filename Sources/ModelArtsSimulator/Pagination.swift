/// Paging as the v1 list calls do it: `per_page` 1...1000 (default 10), 1-based `page`; for list
/// versions `page=0` (its default) means "everything", for list jobs the default page is 1.
struct Pagination: Sendable, Hashable {
    /// 0 means no paging.
    var page: Int
    var perPage: Int

    static let perPageRange = 1...1_000

    func apply<Element>(to elements: [Element]) -> ArraySlice<Element> {
        guard page > 0 else { return elements[...] }
        let (start, overflow) = (page - 1).multipliedReportingOverflow(by: perPage)
        guard !overflow, start < elements.count else { return [] }
        return elements[start..<min(elements.count, start + perPage)]
    }

    /// Reads `page` and `per_page` from the query; a bad value is a 400 ModelArts.0101 as the
    /// backend would answer an invalid argument.
    static func parse(page: String?, perPage: String?, defaultPage: Int, pageRange: ClosedRange<Int>) throws -> Pagination {
        let pageNumber = try integer(page, name: "page", default: defaultPage, range: pageRange)
        let perPageNumber = try integer(perPage, name: "per_page", default: 10, range: perPageRange)
        return Pagination(page: pageNumber, perPage: perPageNumber)
    }

    private static func integer(_ text: String?, name: String, default value: Int, range: ClosedRange<Int>) throws -> Int {
        guard let text, !text.isEmpty else { return value }
        guard let number = Int(text), range.contains(number) else {
            throw ServiceError.invalidArgument("\(name) must be an integer between \(range.lowerBound) and \(range.upperBound)")
        }
        return number
    }
}
