extension SimulatedTrainingJob {
    /// Where a v2 job is at a given moment, from its creation time, scripted outcome, terminate time and
    /// (for `flap`) when its one Failed read was served. Pure: the same inputs give the same answer.
    ///
    /// At time scale 1 a normal job spends 5 s Creating, 10 s Pending (secondary Queuing) and 90 s
    /// Running before Completed. A terminate moves a job that has not ended to Terminating for 5 s, then
    /// Terminated.
    struct StateMachine: Sendable, Hashable {
        /// A phase held for a span of simulated time (milliseconds at time scale 1); nil holds it for ever.
        struct Step: Sendable, Hashable {
            var phase: TrainingJobPhase
            var secondaryPhase: String
            var simulatedMilliseconds: Double?
        }

        struct Snapshot: Sendable, Hashable {
            var phase: TrainingJobPhase
            var secondaryPhase: String
            /// Epoch ms when the job first entered Running; nil if it never ran.
            var startTime: Int64?
            /// Milliseconds spent Running so far (all runs of a restarted job); frozen once it ends.
            var duration: Int64
            /// This is the `flap` job's one false Failed: it is really still running.
            var isFlap = false

            var isTerminal: Bool { phase.isTerminal && !isFlap }
        }

        static let terminatingMilliseconds: Double = 5_000
        /// How long a `flap` job runs before its false Failed, and again after it was read.
        static let flapRunMilliseconds: Double = 45_000

        var createTime: Int64
        var outcome: TrainingJobOutcome
        var terminateRequestedAt: Int64?
        var flapShownAt: Int64?
        var timeScale: Double

        static func creating(_ milliseconds: Double) -> Step { Step(phase: .creating, secondaryPhase: "Creating", simulatedMilliseconds: milliseconds) }
        static func queuing(_ milliseconds: Double?) -> Step { Step(phase: .pending, secondaryPhase: "Queuing", simulatedMilliseconds: milliseconds) }
        static func running(_ milliseconds: Double) -> Step { Step(phase: .running, secondaryPhase: "Running", simulatedMilliseconds: milliseconds) }

        /// The timed path toward an outcome, and the phase it ends in (nil for `flap`, whose end depends
        /// on when it was read, and for `pending_forever`, which never ends).
        static func path(toward outcome: TrainingJobOutcome) -> (steps: [Step], end: Step?) {
            let completed = Step(phase: .completed, secondaryPhase: "Completed")
            switch outcome {
            case .completed:
                return (steps: [creating(5_000), queuing(10_000), running(90_000)], end: completed)
            case .failed:
                return (steps: [creating(5_000), queuing(10_000), running(90_000)], end: Step(phase: .failed, secondaryPhase: "Failed"))
            case .abnormal:
                return (steps: [creating(5_000)], end: Step(phase: .abnormal, secondaryPhase: "CreateFailed"))
            case .restarted:
                return (steps: [creating(5_000), queuing(10_000), running(30_000), queuing(10_000), running(60_000)], end: completed)
            case .flap:
                return (steps: [creating(5_000), queuing(10_000), running(flapRunMilliseconds)], end: nil)
            case .pendingForever:
                return (steps: [creating(5_000), queuing(nil)], end: nil)
            }
        }

        func snapshot(at now: Int64) -> Snapshot {
            let natural = naturalSnapshot(at: now)
            guard let stopAt = terminateRequestedAt, now >= stopAt else { return natural }
            let atStop = naturalSnapshot(at: stopAt)
            if atStop.isTerminal { return natural }
            let terminatedAt = stopAt + realMilliseconds(Self.terminatingMilliseconds)
            let wasRunning = atStop.phase == .running || atStop.isFlap
            let duration = atStop.duration + (wasRunning ? min(now, terminatedAt) - stopAt : 0)
            if now < terminatedAt {
                return Snapshot(phase: .terminating, secondaryPhase: "Terminating", startTime: atStop.startTime, duration: duration)
            }
            return Snapshot(phase: .terminated, secondaryPhase: "Terminated", startTime: atStop.startTime, duration: duration)
        }

        /// The snapshot ignoring any terminate. Step boundaries come from the cumulative simulated time,
        /// so rounding never adds up across steps.
        private func naturalSnapshot(at now: Int64) -> Snapshot {
            let (steps, end) = Self.path(toward: outcome)
            var stepStart = createTime
            var elapsedSimulated: Double = 0
            var startTime: Int64?
            var ran: Int64 = 0
            for step in steps {
                if step.phase == .running, startTime == nil { startTime = stepStart }
                guard let span = step.simulatedMilliseconds else {
                    return Snapshot(phase: step.phase, secondaryPhase: step.secondaryPhase, startTime: startTime, duration: ran)
                }
                elapsedSimulated += span
                let stepEnd = createTime + realMilliseconds(elapsedSimulated)
                if now < stepEnd {
                    if step.phase == .running { ran += max(0, now - stepStart) }
                    return Snapshot(phase: step.phase, secondaryPhase: step.secondaryPhase, startTime: startTime, duration: ran)
                }
                if step.phase == .running { ran += stepEnd - stepStart }
                stepStart = stepEnd
            }
            if let end {
                return Snapshot(phase: end.phase, secondaryPhase: end.secondaryPhase, startTime: startTime, duration: ran)
            }
            // `flap`: it keeps running; the first read from here on shows Failed, the run goes on for
            // another span counted from that read, then completes.
            guard let shownAt = flapShownAt.map({ max($0, stepStart) }) else {
                return Snapshot(phase: .failed, secondaryPhase: "Failed", startTime: startTime, duration: ran + now - stepStart, isFlap: true)
            }
            let completedAt = shownAt + realMilliseconds(Self.flapRunMilliseconds)
            if now < completedAt {
                return Snapshot(phase: .running, secondaryPhase: "Running", startTime: startTime, duration: ran + now - stepStart)
            }
            return Snapshot(phase: .completed, secondaryPhase: "Completed", startTime: startTime, duration: ran + completedAt - stepStart)
        }

        func realMilliseconds(_ simulated: Double) -> Int64 {
            Int64((simulated / max(timeScale, .leastNonzeroMagnitude)).rounded(.up))
        }
    }
}
