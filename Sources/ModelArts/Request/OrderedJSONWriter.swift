import JSONTree

/// A tiny JSON writer that keeps member order (a `JSONValue` object is a dictionary and cannot).
struct OrderedJSONWriter {
    indirect enum Node {
        case string(String)
        case integer(Int64)
        case array([Node])
        case object([(String, Node)])

        var jsonValue: JSONValue {
            switch self {
            case .string(let string): .string(string)
            case .integer(let integer): .integer(integer)
            case .array(let elements): .array(elements.map(\.jsonValue))
            case .object(let members):
                .object(Dictionary(members.map { ($0.0, $0.1.jsonValue) }, uniquingKeysWith: { _, last in last }))
            }
        }
    }

    private(set) var output = ""

    mutating func write(_ members: [(String, Node)]) {
        write(.object(members))
    }

    mutating func write(_ node: Node) {
        switch node {
        case .string(let string): writeString(string)
        case .integer(let integer): output += String(integer)
        case .array(let elements):
            output += "["
            for (index, element) in elements.enumerated() {
                if index > 0 { output += "," }
                write(element)
            }
            output += "]"
        case .object(let members):
            output += "{"
            for (index, member) in members.enumerated() {
                if index > 0 { output += "," }
                writeString(member.0)
                output += ":"
                write(member.1)
            }
            output += "}"
        }
    }

    private mutating func writeString(_ string: String) {
        output += "\""
        for scalar in string.unicodeScalars {
            switch scalar {
            case "\"": output += "\\\""
            case "\\": output += "\\\\"
            case "\n": output += "\\n"
            case "\r": output += "\\r"
            case "\t": output += "\\t"
            case "\u{08}": output += "\\b"
            case "\u{0C}": output += "\\f"
            case "\u{2028}": output += "\\u2028"
            case "\u{2029}": output += "\\u2029"
            default:
                if scalar.value < 0x20 {
                    let hex = String(scalar.value, radix: 16)
                    output += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                } else {
                    output.unicodeScalars.append(scalar)
                }
            }
        }
        output += "\""
    }
}
