import Logging

extension Logger {
    /// This logger with `metadata` added: handed to a ModelArts call so its lines say whose call it was.
    public func with(_ metadata: Logger.Metadata) -> Logger {
        var logger = self
        for (key, value) in metadata {
            logger[metadataKey: key] = value
        }
        return logger
    }
}
