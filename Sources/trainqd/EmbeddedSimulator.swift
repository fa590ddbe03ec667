import Foundation
import Logging
import ModelArtsSimulator
import ServiceLifecycle
import TrainQServer

/// `--simulate`: the ModelArts simulator inside trainqd, on 127.0.0.1 with a key pair that exists only in
/// this process. The server gets it as an `EmbeddedModelArts` and never imports the simulator.
struct EmbeddedSimulator: Service, CustomStringConvertible {
    /// The seed's project; submissions go there when `modelarts.project_id` is not set.
    static let projectID = "0123456789abcdef0123456789abcdef"

    let simulator: ModelArtsSimulator

    /// Service-lifecycle logs every service by its description; the simulator's own would show the key pair.
    var description: String { "ModelArtsSimulator (embedded)" }

    func run() async throws {
        try await simulator.run()
    }

    /// A simulator running `timeScale` times faster than the real service.
    static func embeddedModelArts(timeScale: Double) -> EmbeddedModelArts {
        let accessKey = "SIMULATEDAK0000000001"
        let secretKey = "sim-" + (0..<32).map { _ in String(UInt8.random(in: 0...15), radix: 16) }.joined()
        let simulator = ModelArtsSimulator(
            configuration: SimulatorConfiguration(accessKeys: [accessKey: secretKey], timeScale: timeScale),
            logger: Logger(label: "modelarts-sim")
        )
        return EmbeddedModelArts(service: EmbeddedSimulator(simulator: simulator)) {
            let port = try await simulator.boundPort()
            return .init(
                url: URL(string: "http://127.0.0.1:\(port)")!, accessKey: accessKey, secretKey: secretKey, projectID: projectID
            )
        }
    }
}
