import ArgumentParser
import TrainQAPI

/// `--api v1|v2`.
extension SubmissionAPI: ExpressibleByArgument {}
