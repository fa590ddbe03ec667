import Foundation
import Hummingbird
import JSONTree
import ModelArts

/// Reads and checks the body of `POST .../versions` the way the backend would (reference §2.3, §8.7):
/// malformed JSON is 400 ModelArts.0101; broken rules are 400 ModelArts.0104 listing every violation,
/// found by the same validation the client runs before it sends.
enum CreateVersionBody {
    static func parse(_ body: ByteBuffer, jobID: Int64) throws(ServiceError) -> SimulatedCloud.VersionDraft {
        let document: JSONValue
        do {
            document = try JSONValue.parse(Data(body.readableBytesView))
        } catch {
            throw .invalidArgument("Invalid request body: not valid JSON.")
        }
        switch CreateVersionRequest.validate(document) {
        case .failure(let error):
            throw .parameterError(error.violations.map(\.description).joined(separator: "; "))
        case .success(let request):
            return .init(
                jobID: jobID,
                jobDesc: request.jobDesc ?? "",
                preVersionID: request.config.preVersionID,
                config: document["config"] ?? request.jsonValue
            )
        }
    }
}
