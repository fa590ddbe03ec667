import Testing
@testable import ModelArts

@Suite struct VersionStatusTests {
    static let expected: [(Int, String, VersionStatus.Category)] = [
        (0, "JOBSTAT_UNKNOWN", .unknown), (1, "JOBSTAT_INIT", .inProgress),
        (2, "JOBSTAT_IMAGE_CREATING", .inProgress), (3, "JOBSTAT_IMAGE_FAILED", .failed),
        (4, "JOBSTAT_SUBMIT_TRYING", .inProgress), (5, "JOBSTAT_SUBMIT_FAILED", .failed),
        (6, "JOBSTAT_DELETE_FAILED", .failed), (7, "JOBSTAT_WAITING", .inProgress),
        (8, "JOBSTAT_RUNNING", .inProgress), (9, "JOBSTAT_KILLING", .inProgress),
        (10, "JOBSTAT_COMPLETED", .succeeded), (11, "JOBSTAT_FAILED", .failed),
        (12, "JOBSTAT_KILLED", .stopped), (13, "JOBSTAT_CANCELED", .stopped),
        (14, "JOBSTAT_LOST", .failed), (15, "JOBSTAT_SCALING", .inProgress),
        (16, "JOBSTAT_SUBMIT_MODEL_FAILED", .failed), (17, "JOBSTAT_DEPLOY_SERVICE_FAILED", .failed),
        (18, "JOBSTAT_CHECK_INIT", .inProgress), (19, "JOBSTAT_CHECK_RUNNING", .inProgress),
        (20, "JOBSTAT_CHECK_RUNNING_COMPLETED", .succeeded), (21, "JOBSTAT_CHECK_FAILED", .failed),
    ]

    @Test func everyDocumentedCode() {
        #expect(VersionStatus.names.count == Self.expected.count)
        for (code, name, category) in Self.expected {
            let status = VersionStatus(code: code)
            #expect(status.name == name)
            #expect(status.category == category, "\(code)")
            #expect(status.isTerminal == [.succeeded, .failed, .stopped].contains(category), "\(code)")
        }
    }

    @Test(arguments: [-1, 22, 99, 1000])
    func unlistedCodesAreUnknownAndNonTerminal(code: Int) {
        let status = VersionStatus(code: code)
        #expect(status.name == nil)
        #expect(status.category == .unknown)
        #expect(!status.isTerminal)
        #expect(status.displayName == "STATUS_\(code)")
    }
}
