import Testing
@testable import ModelArtsSimulator

@Suite struct PaginationTests {
    let items = Array(1...25)

    @Test func pageZeroReturnsEverything() {
        #expect(Array(Pagination(page: 0, perPage: 5).apply(to: items)) == items)
    }

    @Test func pagesAreOneBased() {
        #expect(Array(Pagination(page: 1, perPage: 10).apply(to: items)) == Array(1...10))
        #expect(Array(Pagination(page: 3, perPage: 10).apply(to: items)) == Array(21...25))
        #expect(Pagination(page: 4, perPage: 10).apply(to: items).isEmpty)
    }

    @Test func perPageOutsideOneToThousandIsRejected() {
        #expect(throws: ServiceError.self) {
            try Pagination.parse(page: "1", perPage: "0", defaultPage: 0, pageRange: 0...Int.max)
        }
        #expect(throws: ServiceError.self) {
            try Pagination.parse(page: "1", perPage: "1001", defaultPage: 0, pageRange: 0...Int.max)
        }
        #expect(throws: ServiceError.self) {
            try Pagination.parse(page: "x", perPage: nil, defaultPage: 0, pageRange: 0...Int.max)
        }
    }

    @Test func defaultsAreTenPerPageAndTheGivenPage() throws {
        let parsed = try Pagination.parse(page: nil, perPage: nil, defaultPage: 1, pageRange: 1...65_535)
        #expect(parsed == Pagination(page: 1, perPage: 10))
    }
}

@Suite struct TokenBucketTests {
    @Test func allowsLimitPerSecondThenRefills() {
        var bucket = TokenBucket(limit: 3, now: 0)
        let times: [Int64] = [0, 0, 0, 0, 300, 400, 400, 2_000]
        var admitted: [Bool] = []
        for time in times { admitted.append(bucket.take(now: time)) }
        #expect(admitted == [true, true, true, false, false, true, false, true])
    }
}
