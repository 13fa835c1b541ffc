import CheckLanguage
import Foundation
import Synchronization

/// Runs regular-expression matches on threads of its own, off the cooperative pool, so that a
/// pattern that backtracks without end can be abandoned at its deadline instead of hanging the
/// check. Swift's `Regex` cannot be interrupted: a match that runs past its deadline is left to
/// finish on its thread (it uses one core until it does, or until netlab exits), its waiter is
/// told it took too long, and the other workers go on. Up to `maximumWorkers` matches run at
/// once, so one slow match does not hold up the others. After `maximumAbandoned` abandoned
/// matches are still running, every further match is refused at once, so that a script cannot
/// fill the machine with runaway threads.
///
/// The parser refuses the common shape of such patterns (`PatternSafety`); this is the bound
/// for the rest, such as `(a|aa)+$`.
final class PatternMatcher: @unchecked Sendable {
    /// What became of a match.
    enum Outcome: Sendable {
        /// It ran, and gave this answer (what it means is up to the caller: a range of UTF-8
        /// offsets, a line's index, a count), or nil for no match.
        case done(Range<Int>?)
        /// It was still running at its deadline and was abandoned.
        case tooSlow
        /// It waited for a worker past its deadline, behind matches that ran long.
        case busy
        /// Too many earlier matches were abandoned and are still running.
        case refused
    }

    /// The matcher every check uses.
    static let shared = PatternMatcher()

    /// How many matches may run at once.
    static let maximumWorkers = 4
    /// How many runaway matches may be left running before matching is refused.
    static let maximumAbandoned = 4
    /// Every match may run this long, even when its step's bound is shorter or past.
    static let minimumBudget = Duration.milliseconds(250)

    private final class Job: @unchecked Sendable {
        let work: @Sendable () -> Range<Int>?
        let deadline: ContinuousClock.Instant
        // Guarded by the matcher's condition:
        /// When it started: its deadline or `minimumBudget` later, whichever is later.
        var runDeadline: ContinuousClock.Instant
        /// Nil once resumed.
        var continuation: CheckedContinuation<Outcome, Never>?
        /// Given up while it ran: its worker leaves when the match ends.
        var abandoned = false

        init(
            work: @escaping @Sendable () -> Range<Int>?, deadline: ContinuousClock.Instant,
            continuation: CheckedContinuation<Outcome, Never>
        ) {
            self.work = work
            self.deadline = deadline
            self.runDeadline = deadline
            self.continuation = continuation
        }
    }

    // All guarded by `condition`.
    private let condition = NSCondition()
    private var queue: [Job] = []
    private var running: [Job] = []
    private var workers = 0  // live workers, not counting those left with an abandoned match
    private var idleWorkers = 0
    private var watchdogStarted = false
    private let abandoned = Mutex(0)

    /// Runaway matches abandoned so far that are still running.
    var abandonedCount: Int { abandoned.withLock { $0 } }

    /// Matches a worker is running now.
    var runningCount: Int {
        condition.lock()
        defer { condition.unlock() }
        return running.count
    }

    /// Runs `work` (one or more matches) on a worker thread, given until `deadline` (and at
    /// least `minimumBudget` once it starts). Cancelling the waiting task abandons it too.
    func run(until deadline: ContinuousClock.Instant, _ work: @escaping @Sendable () -> Range<Int>?) async -> Outcome {
        if abandoned.withLock({ $0 }) >= Self.maximumAbandoned { return .refused }
        let deadline = max(deadline, ContinuousClock.now + Self.minimumBudget)
        let box = Mutex<Job?>(nil)
        return await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Outcome, Never>) in
                let job = Job(work: work, deadline: deadline, continuation: continuation)
                box.withLock { $0 = job }
                enqueue(job)
            }
        } onCancel: {
            if let job = box.withLock({ $0 }) { self.abandon(job, .tooSlow) }
        }
    }

    private func enqueue(_ job: Job) {
        condition.lock()
        queue.append(job)
        startWorkerIfNeeded()
        if !watchdogStarted {
            watchdogStarted = true
            let t = Thread { [self] in watch() }
            t.name = "netlab pattern watchdog"
            t.start()
        }
        condition.broadcast()
        condition.unlock()
    }

    /// Starts a worker when jobs wait and none is idle; the caller holds the lock.
    private func startWorkerIfNeeded() {
        guard !queue.isEmpty, idleWorkers == 0, workers < Self.maximumWorkers else { return }
        workers += 1
        let t = Thread { [self] in work() }
        t.name = "netlab pattern matcher"
        t.start()
    }

    private func work() {
        condition.lock()
        while true {
            while queue.isEmpty {
                idleWorkers += 1
                condition.wait()
                idleWorkers -= 1
            }
            let job = queue.removeFirst()
            job.runDeadline = max(job.deadline, ContinuousClock.now + Self.minimumBudget)
            running.append(job)
            condition.broadcast()  // the watchdog now watches this job's deadline
            condition.unlock()

            let answer = job.work()

            condition.lock()
            if job.abandoned {
                // Its waiter has been told; this thread no longer counts as a worker.
                condition.unlock()
                abandoned.withLock { $0 -= 1 }
                return
            }
            running.removeAll { $0 === job }
            let continuation = job.continuation
            job.continuation = nil
            condition.unlock()
            continuation?.resume(returning: .done(answer))
            condition.lock()
        }
    }

    /// Abandons running jobs at their deadlines, and queued jobs at theirs.
    private func watch() {
        condition.lock()
        while true {
            let now = ContinuousClock.now
            var expired: [(Job, Outcome)] = []
            var next: ContinuousClock.Instant?
            for job in running {
                if now >= job.runDeadline { expired.append((job, .tooSlow)) } else { next = min(next ?? job.runDeadline, job.runDeadline) }
            }
            for job in queue {
                if now >= job.deadline { expired.append((job, .busy)) } else { next = min(next ?? job.deadline, job.deadline) }
            }
            if !expired.isEmpty {
                condition.unlock()
                for (job, outcome) in expired { abandon(job, outcome) }
                condition.lock()
                continue
            }
            if let next {
                let (seconds, attoseconds) = (next - now).components
                _ = condition.wait(until: Date(timeIntervalSinceNow: Double(seconds) + Double(attoseconds) / 1e18))
            } else {
                condition.wait()
            }
        }
    }

    /// Gives up on `job`: its waiter gets `outcome`. A queued job leaves the queue; a running
    /// one is left to its thread, which leaves when the match ends, and another worker may start.
    private func abandon(_ job: Job, _ outcome: Outcome) {
        condition.lock()
        guard let continuation = job.continuation else { condition.unlock(); return }
        job.continuation = nil
        if running.contains(where: { $0 === job }) {
            running.removeAll { $0 === job }
            job.abandoned = true
            workers -= 1
            abandoned.withLock { $0 += 1 }
            startWorkerIfNeeded()
        } else {
            queue.removeAll { $0 === job }
        }
        condition.broadcast()
        condition.unlock()
        continuation.resume(returning: outcome)
    }
}

extension PatternMatcher {
    /// A compiled pattern handed to the matcher's thread. `Regex` is not `Sendable` because its
    /// output type need not be; its compiled program is immutable once made (and made once,
    /// atomically), so matching on another thread is safe.
    struct Compiled: @unchecked Sendable {
        let regex: Regex<AnyRegexOutput>
    }

    /// The first match of `regex` in `text`, as a range of UTF-8 offsets, or nil for none.
    func firstMatch(_ regex: Regex<AnyRegexOutput>, in text: String, until deadline: ContinuousClock.Instant) async -> Outcome {
        let compiled = Compiled(regex: regex)
        return await run(until: deadline) {
            guard let match = try? compiled.regex.firstMatch(in: text) else { return nil }
            let start = text.utf8.distance(from: text.startIndex, to: match.range.lowerBound)
            let end = text.utf8.distance(from: text.startIndex, to: match.range.upperBound)
            return start..<end
        }
    }

    /// How many of `lines` `regex` matches, as `0..<count`.
    func countMatchingLines(_ regex: Regex<AnyRegexOutput>, in lines: [String], until deadline: ContinuousClock.Instant) async -> Outcome {
        let compiled = Compiled(regex: regex)
        return await run(until: deadline) {
            0..<lines.count { (try? compiled.regex.firstMatch(in: $0)) != nil }
        }
    }

    /// The index of the first of `lines` that `regex` matches (as `index..<index + 1`), or nil.
    func firstMatchingLine(_ regex: Regex<AnyRegexOutput>, in lines: [String], until deadline: ContinuousClock.Instant) async -> Outcome {
        let compiled = Compiled(regex: regex)
        return await run(until: deadline) {
            lines.firstIndex { (try? compiled.regex.firstMatch(in: $0)) != nil }.map { $0..<($0 + 1) }
        }
    }
}

extension CheckExecution {
    /// The answer of a match run by `PatternMatcher.shared`; a match that took too long fails
    /// the step, naming the pattern, instead of hanging the check.
    func matched(_ outcome: PatternMatcher.Outcome, pattern shown: String, at location: SourceLocation) throws -> Range<Int>? {
        switch outcome {
        case .done(let answer):
            return answer
        case .tooSlow:
            try Task.checkCancellation()
            throw StepFailure(
                message: "the pattern \(shown) took too long to match and was abandoned at the step's bound; "
                    + "a pattern that can match the same text in many ways (such as `(a|aa)+`) backtracks without end, "
                    + "so write it with fewer ways to match", location: location)
        case .busy:
            try Task.checkCancellation()
            throw StepFailure(
                message: "the pattern \(shown) could not be tried within the step's bound: another pattern "
                    + "was taking too long to match", location: location)
        case .refused:
            throw StepFailure(
                message: "the pattern \(shown) was not tried: \(PatternMatcher.maximumAbandoned) earlier patterns "
                    + "took too long to match and are still running", location: location)
        }
    }
}
