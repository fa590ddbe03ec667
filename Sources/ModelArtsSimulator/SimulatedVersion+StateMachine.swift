extension SimulatedVersion {
    /// Where a version is at a given moment, computed from its creation time, scripted outcome and stop
    /// time. Pure: the same inputs give the same answer.
    ///
    /// At time scale 1 a normal version spends 5 s in INIT (1), 10 s in SUBMIT_TRYING (4), 15 s in
    /// WAITING (7) and 90 s in RUNNING (8) before COMPLETED (10): two minutes in all. A stop moves it to
    /// KILLING (9) for 5 s, then KILLED (12) if it had been running, CANCELED (13) if not.
    struct StateMachine: Sendable, Hashable {
        /// A status held for a span of simulated time (milliseconds at time scale 1).
        struct Phase: Sendable, Hashable {
            var status: Int
            var simulatedMilliseconds: Double
        }

        struct Snapshot: Sendable, Hashable {
            var status: Int
            /// Epoch ms when RUNNING (8) began; nil before that or if it never ran.
            var startTime: Int64?
            /// Milliseconds of running: grows while running, frozen once the version ends.
            var duration: Int64
            var isTerminal: Bool
        }

        static let killingMilliseconds: Double = 5_000

        var createTime: Int64
        var outcome: Int
        var stopRequestedAt: Int64?
        var timeScale: Double

        /// The path to each outcome: image failures end after image creation, submit failures after
        /// submitting, a cancel after queuing, everything else at the end of the run.
        static func phases(toward outcome: Int) -> [Phase] {
            let initializing = Phase(status: 1, simulatedMilliseconds: 5_000)
            let submitting = Phase(status: 4, simulatedMilliseconds: 10_000)
            let waiting = Phase(status: 7, simulatedMilliseconds: 15_000)
            let running = Phase(status: 8, simulatedMilliseconds: 90_000)
            switch outcome {
            case 3: return [initializing, Phase(status: 2, simulatedMilliseconds: 10_000)]
            case 5: return [initializing, submitting]
            case 13: return [initializing, submitting, waiting]
            case 12: return [initializing, submitting, waiting, running, Phase(status: 9, simulatedMilliseconds: killingMilliseconds)]
            default: return [initializing, submitting, waiting, running]
            }
        }

        func snapshot(at now: Int64) -> Snapshot {
            let natural = naturalSnapshot(at: now)
            guard let stopAt = stopRequestedAt, now >= stopAt else { return natural }
            let atStop = naturalSnapshot(at: stopAt)
            if atStop.isTerminal { return natural }
            let killedAt = stopAt + realMilliseconds(Self.killingMilliseconds)
            let runEnd = min(now, killedAt)
            let duration = atStop.startTime.map { max(0, runEnd - $0) } ?? 0
            if now < killedAt {
                return Snapshot(status: 9, startTime: atStop.startTime, duration: duration, isTerminal: false)
            }
            let stoppedStatus = atStop.startTime == nil ? 13 : 12
            return Snapshot(status: stoppedStatus, startTime: atStop.startTime, duration: duration, isTerminal: true)
        }

        /// The snapshot ignoring any stop. Phase boundaries come from the cumulative simulated time, so
        /// rounding never adds up across phases.
        private func naturalSnapshot(at now: Int64) -> Snapshot {
            var phaseStart = createTime
            var elapsedSimulated: Double = 0
            var startTime: Int64?
            for phase in Self.phases(toward: outcome) {
                if phase.status == 8 { startTime = phaseStart }
                elapsedSimulated += phase.simulatedMilliseconds
                let phaseEnd = createTime + realMilliseconds(elapsedSimulated)
                if now < phaseEnd {
                    let duration = startTime.map { max(0, now - $0) } ?? 0
                    return Snapshot(status: phase.status, startTime: startTime, duration: duration, isTerminal: false)
                }
                phaseStart = phaseEnd
            }
            let duration = startTime.map { max(0, phaseStart - $0) } ?? 0
            return Snapshot(status: outcome, startTime: startTime, duration: duration, isTerminal: true)
        }

        private func realMilliseconds(_ simulated: Double) -> Int64 {
            Int64((simulated / max(timeScale, .leastNonzeroMagnitude)).rounded(.up))
        }
    }
}
