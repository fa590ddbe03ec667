import Foundation
import TrainQAPI

enum APICodingForCLI {
    /// Pretty output for `--json`, same dates and keys as the daemon's.
    static var encoder: JSONEncoder {
        let encoder = APICoding.encoder()
        encoder.outputFormatting.insert(.prettyPrinted)
        return encoder
    }
}
