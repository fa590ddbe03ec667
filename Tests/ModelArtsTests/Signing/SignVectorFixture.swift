import Foundation

/// The vectors generated with the real SDK signer (`scripts/sign_vectors.py`), committed as a fixture.
struct SignVectorFixture: Decodable {
    struct Inputs: Decodable {
        var ak: String
        var sk: String
        var method: String
        var host: String
        var path: String
        var query: [[String]]
        var headers_before_signing: [String: String]
        var body: String
    }

    struct Vector: Decodable {
        var name: String
        var inputs: Inputs
        var headers_after_signing: [String: String]
        var request_uri_sent_by_sdk: String
        var canonical_request: String
        var string_to_sign: String
        var signed_headers: String
        var signature: String
        var expected_authorization: String
        var matches_guide: Bool?
    }

    struct WireCapture: Decodable {
        struct Wire: Decodable {
            var method: String
            var raw_path: String
            var headers: [String: String]
            var body: String
            var server_side_signature_ok: Bool
        }

        var scenario: String
        var wire: Wire
    }

    var vectors: [Vector]
    var signing_guide_cross_check: [Vector]
    var wire_capture_real_sdk_client: [WireCapture]

    static func load() throws -> SignVectorFixture {
        guard let url = Bundle.module.url(forResource: "sign-vectors", withExtension: "json", subdirectory: "Fixtures") else {
            throw FixtureMissing(name: "sign-vectors.json")
        }
        return try JSONDecoder().decode(SignVectorFixture.self, from: Data(contentsOf: url))
    }
}

struct FixtureMissing: Error {
    var name: String
}
