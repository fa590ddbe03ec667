import Foundation
import Testing

@testable import TrainQStore

#if canImport(Glibc)
import Glibc
#endif

@Suite struct ExecutorTests {
    @Test func storeWorkRunsOnItsOwnThreadNotOnThePool() async throws {
        try await withStore { store, _ async throws in
            // The test itself runs on the cooperative pool.
            #expect(!store.isOnStoreThread)
            let inside = try await store.withConnection { _ in
                (onStoreThread: store.isOnStoreThread, thread: pthread_self())
            }
            #expect(inside.onStoreThread)
            let again = try await store.withConnection { _ in pthread_self() }
            #expect(pthread_equal(inside.thread, again) != 0)

            // No pool thread is the store's thread.
            let poolThreads = await withTaskGroup(of: pthread_t.self) { group in
                for _ in 0..<16 {
                    group.addTask { pthread_self() }
                }
                return await group.reduce(into: [pthread_t]()) { $0.append($1) }
            }
            #expect(!poolThreads.isEmpty)
            #expect(poolThreads.allSatisfy { pthread_equal($0, inside.thread) == 0 })
        }
    }

    @Test func jobsRunInOrderOneAtATime() async throws {
        let executor = DedicatedThreadExecutor(name: "test-serial")
        actor Recorder {
            let executor: DedicatedThreadExecutor
            var log: [Int] = []
            var running = false
            var overlapped = false
            init(executor: DedicatedThreadExecutor) { self.executor = executor }
            nonisolated var unownedExecutor: UnownedSerialExecutor { executor.asUnownedSerialExecutor() }
            func record(_ value: Int) {
                overlapped = overlapped || running || !executor.isCurrentThread
                running = true
                log.append(value)
                running = false
            }
        }
        let recorder = Recorder(executor: executor)
        for value in 0..<200 {
            await recorder.record(value)
        }
        await withTaskGroup(of: Void.self) { group in
            for value in 200..<400 {
                group.addTask { await recorder.record(value) }
            }
        }
        let log = await recorder.log
        #expect(Array(log.prefix(200)) == Array(0..<200))
        #expect(log.sorted() == Array(0..<400))
        #expect(await !recorder.overlapped)
        executor.shutdown()
    }

    /// Closures from a thread without a task run on the executor's thread, in order with the jobs, and
    /// may take the actor's isolation there.
    @Test func closuresRunInOrderWithJobsAndMayAssumeTheActor() async throws {
        let executor = DedicatedThreadExecutor(name: "test-closures")
        actor Recorder {
            let executor: DedicatedThreadExecutor
            var log: [Int] = []
            init(executor: DedicatedThreadExecutor) { self.executor = executor }
            nonisolated var unownedExecutor: UnownedSerialExecutor { executor.asUnownedSerialExecutor() }
            func record(_ value: Int) { log.append(value) }
        }
        let recorder = Recorder(executor: executor)
        for value in 0..<100 {
            if value.isMultiple(of: 2) {
                await recorder.record(value)
            } else {
                executor.execute {
                    recorder.assumeIsolated { $0.record(value) }
                }
            }
        }
        await recorder.record(100)
        #expect(await recorder.log == Array(0...100))
        executor.shutdown()
    }
}
