extension VersionDetail {
    /// The fields in which this remote version visibly differs from `request`, by wire name; empty when
    /// every field both sides state agrees.
    ///
    /// Reconciliation uses it to tell "our version" from someone else's after a lost response. A field the
    /// service did not echo, or that the request left to the service's default (`engine_id`), is not
    /// compared: absence proves nothing. `job_desc` is compared exactly, so a description marker makes
    /// the match exact.
    public func conflicts(with request: CreateVersionRequest) -> [String] {
        let config = request.config
        var conflicts: [String] = []
        func compare<Value: Equatable>(_ name: String, _ remote: Value?, _ local: Value?) {
            if let remote, let local, remote != local { conflicts.append(name) }
        }
        compare("job_desc", jobDesc, request.jobDesc)
        compare("pre_version_id", preVersionID, config.preVersionID)
        compare("worker_server_num", workerServerNum, config.workerServerNum)
        compare("app_url", appURL, config.appURL)
        compare("boot_file_url", bootFileURL, config.bootFileURL)
        compare("model_id", modelID, config.modelID)
        compare("engine_id", engineID, config.engineID)
        compare("spec_id", specID, config.specID)
        compare("pool_id", poolID, config.poolID)
        compare("data_url", dataURL, config.dataURL)
        compare("dataset_id", datasetID, config.datasetID)
        compare("dataset_version_id", datasetVersionID, config.datasetVersionID)
        compare("train_url", trainURL, config.trainURL)
        compare("log_url", logURL, config.logURL)
        compare("user_image_url", userImageURL, config.userImageURL)
        compare("user_command", userCommand, config.userCommand)
        if let remote = parameter, let local = config.parameter {
            // Order is not meaningful; values may come back as numbers ("0.01" vs 0.01 → "0.01").
            let remoteSet = Set(remote.map { "\($0.label)=\($0.value)" })
            let localSet = Set(local.map { "\($0.label)=\($0.value)" })
            if remoteSet != localSet { conflicts.append("parameter") }
        }
        return conflicts
    }
}
