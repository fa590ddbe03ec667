/// The v2 training-job errors the simulator answers with (reference §4.5), in the v2 body shape.
extension ServiceError {
    /// 400 ModelArts.2787 InvalidJsonBody.
    static func invalidJSONBody() -> ServiceError {
        .trainingJob(
            status: 400, errorCode: "ModelArts.2787", message: "Invalid json body.",
            solution: "Check whether the request body is valid JSON.")
    }

    /// 400 ModelArts.2788 InvalidParam, worded as the service does: `Invalid parameter(<why>)`.
    static func invalidTrainingJobParameter(_ detail: String) -> ServiceError {
        .trainingJob(
            status: 400, errorCode: "ModelArts.2788", message: "Invalid parameter(\(detail))",
            solution: "Check the request parameters.")
    }

    /// 400 ModelArts.2751 DuplicateTrainingJobName: names are unique per project.
    static func duplicateTrainingJobName(_ name: String) -> ServiceError {
        .trainingJob(
            status: 400, errorCode: "ModelArts.2751", message: "Training job name \(name) already exists.",
            solution: "Change the training job name.")
    }

    /// 400 ModelArts.2775 TrainingJobNotFound: unknown, or deleted (the v2 not-found is a 400, reference A24).
    static func trainingJobNotFound(_ id: String) -> ServiceError {
        .trainingJob(
            status: 400, errorCode: "ModelArts.2775", message: "Training job \(id) not found.",
            solution: "Check whether the training job exists.")
    }

    /// 409 ModelArts.2796 NotAllowedToTerminate: the job already ended.
    static func notAllowedToTerminate(_ id: String, phase: TrainingJobPhase) -> ServiceError {
        .trainingJob(
            status: 409, errorCode: "ModelArts.2796", message: "Training job \(id) in phase \(phase.rawValue) is not allowed to terminate.",
            solution: "Only jobs in the creating, pending or running state can be terminated.")
    }

    /// 409 ModelArts.2813 NotAllowedToRestart: the simulator never restarts a job on request.
    static func notAllowedToRestart(_ id: String) -> ServiceError {
        .trainingJob(
            status: 409, errorCode: "ModelArts.2813", message: "Training job \(id) is not allowed to restart.",
            solution: "Create a new training job instead.")
    }

    /// 400 ModelArts.2807/2808/2809: a search filter with an unknown key, operator or value.
    static func invalidSearchFilter(code: String, _ detail: String) -> ServiceError {
        .trainingJob(status: 400, errorCode: code, message: detail, solution: "Check the filters of the search request.")
    }
}
