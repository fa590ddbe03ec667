import Foundation
import Testing
import JSONTree

@Suite struct JSONValueTests {
    @Test func keepsIntegersApartFromFractions() throws {
        let value = try JSONValue.parse(Data(#"{"a": 9007199254740993, "b": 1.5, "c": true, "d": null}"#.utf8))
        #expect(value["a"] == .integer(9_007_199_254_740_993))
        #expect(value["b"] == .number(1.5))
        #expect(value["c"] == .bool(true))
        #expect(value["d"] == .null)
    }

    @Test func canonicalBytesIgnoreKeyOrderAndWhitespace() throws {
        let one = try JSONValue.parse(Data(#"{"b": [1, 2], "a": "x"}"#.utf8))
        let two = try JSONValue.parse(Data(#"{"a":"x","b":[1,2]}"#.utf8))
        #expect(one.canonicalData() == two.canonicalData())
    }

    @Test func rejectsMalformedDocuments() {
        #expect(throws: (any Error).self) { try JSONValue.parse(Data(#"{"engine_type": ,}"#.utf8)) }
    }
}
