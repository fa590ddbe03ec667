import Foundation
import Hummingbird
import JSONTree

/// The parts of a password-authentication body that matter.
struct PasswordLogin {
    var user: String
    var password: String
    var domain: String
    var projectName: String?
    var projectID: String?

    init(_ body: ByteBuffer) throws(ServiceError) {
        func bad(_ message: String) -> ServiceError {
            .iam(status: 400, title: "Bad Request", message: message)
        }
        guard let document = try? JSONValue.parse(Data(body.readableBytesView)) else {
            throw bad("The request body is not valid JSON.")
        }
        let identity = document["auth"]?["identity"]
        guard identity?["methods"]?.arrayValue?.contains(.string("password")) == true else {
            throw bad("auth.identity.methods must contain \"password\".")
        }
        let user = identity?["password"]?["user"]
        guard let name = user?["name"]?.stringValue, let password = user?["password"]?.stringValue,
              let domain = user?["domain"]?["name"]?.stringValue
        else {
            throw bad("auth.identity.password.user needs name, password and domain.name.")
        }
        let project = document["auth"]?["scope"]?["project"]
        self.user = name
        self.password = password
        self.domain = domain
        self.projectName = project?["name"]?.stringValue
        self.projectID = project?["id"]?.stringValue
        guard projectName != nil || projectID != nil else {
            throw bad("auth.scope.project needs name or id: ModelArts needs a project-scoped token.")
        }
    }
}
