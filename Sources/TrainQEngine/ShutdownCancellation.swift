import ModelArts
import ServiceLifecycle

/// Calls to ModelArts that must not hold up a stop of trainqd: lists, shows and a person's stop are
/// cancelled as soon as a graceful shutdown begins (DESIGN §6). Only a create on the wire gets the drain,
/// because its outcome matters; each of these can simply be made again after the restart.
enum ShutdownCancellation {
    /// Runs `call`, cancelled at once when a graceful shutdown begins; its typed error otherwise.
    static func call<Value: Sendable>(
        _ call: @escaping @Sendable () async throws(ModelArtsError) -> Value
    ) async -> Result<Value, ModelArtsError> {
        await cancelWhenGracefulShutdown {
            do throws(ModelArtsError) {
                return .success(try await call())
            } catch {
                return .failure(error)
            }
        }
    }

    /// True once the stop began: a call that failed now failed because of it, not because of ModelArts.
    static var isStopping: Bool { Task.isShuttingDownGracefully || Task.isCancelled }
}
