import Foundation
import Testing
import Yams

/// `openapi/trainq.yaml` describes exactly the routes trainqd serves: a route added without its
/// description, or a description of a route that is gone, fails here rather than in a client.
@Suite struct OpenAPIRouteTests {
    static let specPath = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("openapi/trainq.yaml").path

    /// `METHOD /path` for every operation of the spec.
    static func describedRoutes() throws -> Set<String> {
        let text = try String(contentsOfFile: specPath, encoding: .utf8)
        let document = try #require(try Yams.load(yaml: text) as? [String: Any])
        let paths = try #require(document["paths"] as? [String: Any])
        let methods: Set<String> = ["get", "put", "post", "delete", "patch", "head", "options", "trace"]
        var routes: Set<String> = []
        for (path, item) in paths {
            let operations = try #require(item as? [String: Any], "\(path)")
            for method in operations.keys where methods.contains(method) {
                routes.insert("\(method.uppercased()) \(path)")
            }
        }
        return routes
    }

    @Test func everyRouteServedIsDescribedAndNothingElse() async throws {
        let fixture = try SocketAPIFixture()
        let served = fixture.routes
        try await fixture.test { _ in }
        let described = try Self.describedRoutes()
        #expect(served.subtracting(described).isEmpty, "served but not described: \(served.subtracting(described).sorted())")
        #expect(described.subtracting(served).isEmpty, "described but not served: \(described.subtracting(served).sorted())")
        #expect(served.contains("POST /v1/submissions/batch"))
    }
}
