import ModelArts
import TrainQAPI
import TrainQStore

/// What an attempt sends: the stored request, validated again and marked where the marker fits. The
/// executor sends it and the reconciler compares listings against it, so both see the same request.
enum CreateRequestPreparation {
    /// The validated request and the marker it carries; a stored request that no longer validates is a
    /// permanent failure.
    static func marked(for row: StoredSubmission, descMarker: Bool) -> Result<(request: CreateVersionRequest, marker: String?), AttemptFailure> {
        switch CreateVersionRequest.validate(row.view.request) {
        case .failure(let error):
            return .failure(AttemptFailure(
                errorClass: .permanent, errorCode: "trainq.request", message: "the stored request is not valid: \(error)"))
        case .success(let request):
            return .success(DescMarker.apply(to: request, submissionID: row.id, enabled: descMarker))
        }
    }

    static func request(for row: StoredSubmission, descMarker: Bool) -> Result<CreateVersionRequest, AttemptFailure> {
        marked(for: row, descMarker: descMarker).map(\.request)
    }
}
