/// A page of `GET /v1/submissions`, newest first. `next_cursor` is opaque; absent on the last page.
/// Also the answer of `POST /v1/submissions/batch`, in the batch's order and without a cursor.
public struct SubmissionList: Sendable, Codable, Hashable {
    public var submissions: [SubmissionView]
    public var nextCursor: String?

    public init(submissions: [SubmissionView], nextCursor: String?) {
        self.submissions = submissions
        self.nextCursor = nextCursor
    }

    enum CodingKeys: String, CodingKey {
        case submissions
        case nextCursor = "next_cursor"
    }
}
