import Foundation
import Hummingbird
import JSONTree

/// The control API under `/_sim` (DESIGN §7): faults, ledger, scripted outcomes. No authentication:
/// the simulator only listens on loopback.
struct ControlRoutes: Sendable {
    let cloud: SimulatedCloud

    func register(on router: Router<SimulatorRequestContext>) {
        router.post("/_sim/faults", use: replaceFaults)
        router.get("/_sim/faults", use: faults)
        router.delete("/_sim/faults", use: clearFaults)
        router.get("/_sim/ledger", use: ledger)
        router.post("/_sim/versions/:version_id/outcome", use: setOutcome)
        router.post("/_sim/training-jobs/:training_job_id/outcome", use: setTrainingJobOutcome)
    }

    @Sendable func replaceFaults(_ request: Request, context: SimulatorRequestContext) async throws -> Response {
        let document = try await Self.document(request, context: context)
        do throws(ScenarioError) {
            let reader = try JSONObjectReader(document, path: "")
            try reader.rejectUnknownKeys(allowed: ["faults"])
            let rules = try FaultRule.parseList(reader.array("faults") ?? [], path: "faults")
            await cloud.replaceFaults(rules)
            return JSONResponse.make(.ok, .object(["faults": .integer(Int64(rules.count))]))
        } catch {
            throw ServiceError.control(error.description)
        }
    }

    @Sendable func faults(_ request: Request, context: SimulatorRequestContext) async throws -> Response {
        let rules = await cloud.activeFaults
        return JSONResponse.make(.ok, .object(["faults": .array(rules.map(\.json))]))
    }

    @Sendable func clearFaults(_ request: Request, context: SimulatorRequestContext) async throws -> Response {
        await cloud.replaceFaults([])
        return JSONResponse.make(.ok, .object(["faults": .integer(0)]))
    }

    @Sendable func ledger(_ request: Request, context: SimulatorRequestContext) async throws -> Response {
        JSONResponse.make(.ok, encoding: await cloud.ledger())
    }

    @Sendable func setOutcome(_ request: Request, context: SimulatorRequestContext) async throws -> Response {
        guard let versionText = context.parameters.get("version_id"), let versionID = Int64(versionText), versionID > 0 else {
            throw ServiceError.control("version id must be a positive integer", status: 404)
        }
        let document = try await Self.document(request, context: context)
        let status: Int
        do throws(ScenarioError) {
            let reader = try JSONObjectReader(document, path: "")
            try reader.rejectUnknownKeys(allowed: ["status"])
            guard let value = try reader.integer("status"), let outcome = Int(exactly: value) else {
                throw ScenarioError.invalidField("status", "is required")
            }
            try VersionOutcome.validate(outcome, field: "status")
            status = outcome
        } catch {
            throw ServiceError.control(error.description)
        }
        try await cloud.setOutcome(status, forVersion: versionID)
        return JSONResponse.make(.ok, .object(["version_id": .integer(versionID), "status": .integer(Int64(status))]))
    }

    /// `{"outcome": "failed"}` scripts how a v2 job that has not ended yet ends.
    @Sendable func setTrainingJobOutcome(_ request: Request, context: SimulatorRequestContext) async throws -> Response {
        guard let id = context.parameters.get("training_job_id"), !id.isEmpty else {
            throw ServiceError.control("training job id is required", status: 404)
        }
        let document = try await Self.document(request, context: context)
        let outcome: TrainingJobOutcome
        do throws(ScenarioError) {
            let reader = try JSONObjectReader(document, path: "")
            try reader.rejectUnknownKeys(allowed: ["outcome"])
            outcome = try TrainingJobOutcome.parse(reader.members["outcome"], field: "outcome")
        } catch {
            throw ServiceError.control(error.description)
        }
        try await cloud.setTrainingJobOutcome(outcome, for: id)
        return JSONResponse.make(.ok, .object(["id": .string(id), "outcome": .string(outcome.rawValue)]))
    }

    private static func document(_ request: Request, context: SimulatorRequestContext) async throws -> JSONValue {
        let body = try await request.body.collect(upTo: context.maxUploadSize)
        do {
            return try JSONValue.parse(Data(body.readableBytesView))
        } catch {
            throw ServiceError.control("the body is not valid JSON")
        }
    }
}
