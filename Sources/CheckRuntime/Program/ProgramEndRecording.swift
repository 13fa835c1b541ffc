import CheckResults
import Foundation
import Synchronization

/// What a check knows about its program's life beyond its output: when a `stop` step signalled
/// it, when the step running now began, and (once netlab has stopped it) how it ended.
final class ProgramLifecycle: Sendable {
    struct State {
        var stopSent: ContinuousClock.Instant?
        var stepStarted: ContinuousClock.Instant?
        var end: ProgramEnd?
        var endTime: ContinuousClock.Instant?
        /// Where netlab began to stop the program at the end of the check.
        var stopTime: ContinuousClock.Instant?
    }

    private let state = Mutex(State())

    var current: State { state.withLock { $0 } }

    func stopSent(at time: ContinuousClock.Instant) { state.withLock { if $0.stopSent == nil { $0.stopSent = time } } }
    func stepStarted(at time: ContinuousClock.Instant) { state.withLock { $0.stepStarted = time } }
    func ended(_ end: ProgramEnd?, at time: ContinuousClock.Instant?, stopTime: ContinuousClock.Instant) {
        state.withLock {
            $0.end = end
            $0.endTime = time
            $0.stopTime = stopTime
        }
    }
}

extension ProgramLaunch {
    /// How a Swift program reports a crash, unless the learner chose (`SWIFT_BACKTRACE` in
    /// netlab's environment or the program's): the backtracer on, the crashed thread only, with
    /// the source lines around the crash and no registers or images (the friendly preset), never
    /// waiting for a debugger. Other programs ignore it.
    static let crashReportSetting = "enable=yes,preset=friendly,interactive=no"

    static func withCrashReports(
        _ environment: [String: String],
        inherited: [String: String] = ProcessInfo.processInfo.environment
    ) -> [String: String] {
        guard environment["SWIFT_BACKTRACE"] == nil, inherited["SWIFT_BACKTRACE"] == nil else { return environment }
        var environment = environment
        environment["SWIFT_BACKTRACE"] = crashReportSetting
        return environment
    }
}

extension ServerProcess {
    /// Lets a program that is ending on its own finish before netlab stops it: one that has
    /// printed a crash report that always ends a program (its backtrace may take a second), or
    /// has closed stdout and stderr (it is exiting), gets up to `bound` to be reaped. Looks for
    /// such signs for `settle` first (`reportSettle` after a report that need not end a program,
    /// such as a Python traceback, whose interpreter takes a while to exit): a client may see the
    /// program's sockets close a moment before netlab reads the end of its pipes. Then its end is
    /// its own, not netlab's SIGTERM.
    func awaitOwnEnd(
        settle: Duration = .milliseconds(50), reportSettle: Duration = .milliseconds(500),
        bound: Duration = .seconds(2)
    ) async {
        let started = ContinuousClock.now
        while exitStatus == nil {
            let report = CrashReport.find(in: lines)
            if outputClosed || report?.fatal == true {
                _ = await waitExit(timeout: bound)
                return
            }
            let settled = started + (report == nil ? settle : reportSettle)
            if ContinuousClock.now >= settled || Task.isCancelled { return }
            try? await Task.sleep(for: .milliseconds(5))
        }
    }

    /// How the program ended before netlab began to stop it at `stopTime` (not because a `stop`
    /// step signalled it at `stopSent`), and when; or how it crashed, whenever that was, if it
    /// printed a crash report. Call once the program is stopped and its output read.
    func programEnd(
        origin: ContinuousClock.Instant, stopTime: ContinuousClock.Instant,
        stopSent: ContinuousClock.Instant?
    ) -> (end: ProgramEnd, time: ContinuousClock.Instant)? {
        let ready = readyTime
        var endedOnItsOwn = false
        if let time = exitTime { endedOnItsOwn = time < stopTime && !(stopSent.map { time >= $0 } ?? false) }
        // A report that need not end the program (a Rust panic, a Python traceback) counts when
        // it did end it: on its own, or with a failing status while netlab was stopping it (an
        // uncaught exception's exit, not SIGTERM's).
        var failedStatus = false
        if case .exited(let status)? = exitStatus { failedStatus = status != 0 }
        if let report = CrashReport.find(in: lines), report.fatal || endedOnItsOwn || failedStatus {
            let end = ProgramEnd(
                how: .crashed(summary: report.summary, location: report.location), time: report.time - origin,
                afterReady: ready.map { $0 <= report.time } ?? false)
            return (end, report.time)
        }
        guard endedOnItsOwn, let exit = exitStatus, let time = exitTime else { return nil }
        let how: ProgramEnd.How =
            switch exit {
            case .exited(let status): .exited(status: status)
            case .signaled(let signal): .killed(signal: ExitStatus.signalName(signal))
            }
        return (ProgramEnd(how: how, time: time - origin, afterReady: ready.map { $0 <= time } ?? false), time)
    }

    /// What the program wrote on stdout, apart from its ready line.
    var stdoutLines: [OutputLine] {
        var sawReady = false
        return lines.filter { line in
            guard line.stream == .stdout else { return false }
            if !sawReady, line.text.hasPrefix("netlab: listening on ") {
                sawReady = true
                return false
            }
            return true
        }
    }
}

extension ProgramEnd {
    /// A failure's message with the end first, where it is news: a crash always; an exit or a
    /// signal after the ready line unless the message says so already ("it exited with status 3").
    func prefixing(_ message: String) -> String {
        if case .crashed(let summary, _) = how {
            return message.contains(summary) ? message : "\(headline); then \(message)"
        }
        guard afterReady else { return message }
        let said: String =
            switch how {
            case .exited(let status): "exited with status \(status)"
            case .killed(let signal): "killed by \(signal)"
            case .crashed: ""
            }
        return message.contains(said) ? message : "\(headline); then \(message)"
    }
}

extension CheckExecution {
    /// What netlab's stop at the end of a check did: `stopped the server with SIGTERM: it exited
    /// with status 0`. A program that died of its own crash signal meanwhile (its crash report
    /// took a moment) is not said to have been stopped by netlab.
    static func stopNote(status: ExitStatus?, killed: Bool, grace: Duration) -> String {
        if killed { return "stopped the server: it ignored SIGTERM for \(grace.scriptText), so it got SIGKILL" }
        if case .signaled(let signal)? = status, ProgramEnd.crashSignals.contains(ExitStatus.signalName(signal)) {
            return "the server \(status!) (it crashed: not netlab's SIGTERM)"
        }
        return "stopped the server with SIGTERM: it \(status.map(\.description) ?? "did not exit")"
    }

    /// Transcript lines for how the program ended (for a check that did not pass): the crash,
    /// stamped when its report began, and an exit netlab did not cause, stamped when it was seen.
    static func recordEnd(
        _ end: ProgramEnd, at time: ContinuousClock.Instant, process: ServerProcess,
        stopTime: ContinuousClock.Instant, transcript: Transcript
    ) {
        if case .crashed = end.how { transcript.add("netlab", "the server \(end.what)", at: time) }
        // Before the ready line, the check's first failure says it already.
        guard end.afterReady || end.isCrash else { return }
        if let exit = process.exitStatus, let exitTime = process.exitTime, exitTime < stopTime {
            transcript.add("netlab", "the server \(exit)", at: exitTime)
        }
    }

    /// A note before stdout lines that arrived only when netlab stopped the program: stdout to
    /// a pipe is block-buffered, so they were printed earlier than their times say.
    static func noteLateStdout(_ process: ServerProcess, stopTime: ContinuousClock.Instant, transcript: Transcript) {
        guard let late = process.stdoutLines.first(where: { $0.time >= stopTime }) else { return }
        transcript.add(
            "netlab",
            "the server's stdout came only as it exited: stdout to a pipe is buffered, so these lines"
                + " were printed earlier than their times say (the log, on stderr, is not buffered)", at: late.time)
    }

    /// The failing step's lines about how the program had ended: `the server had exited with
    /// status 1 at +0.420s, before this step`.
    func endLines() -> [String] {
        let life = lifecycle.current
        guard let end = life.end, let endTime = life.endTime, end.afterReady || end.isCrash else { return [] }
        let before = life.stepStarted.map { endTime < $0 } ?? true
        let verb: String =
            switch end.how {
            case .crashed: before ? "had crashed" : "crashed"
            case .exited(let status): before ? "had exited with status \(status)" : "exited with status \(status)"
            case .killed(let signal): before ? "had been killed by \(signal)" : "was killed by \(signal)"
            }
        return ["the server \(verb) at \(end.timeText), \(before ? "before" : "during") this step"]
    }

    /// The message of a failed step, once the program is stopped: a log step that found nothing
    /// on stderr says so when the program printed a matching line on stdout instead.
    func failureMessage(_ failure: StepFailure) -> String {
        "\(failureText(failure)) (\(failure.location))"
    }

    /// The same without the location.
    func failureText(_ failure: StepFailure) -> String {
        guard let (line, _) = stdoutMatch(failure) else { return failure.message }
        return failure.message + "; your program printed \(Bytes.quoted(Array(line.utf8), limit: 120)) on stdout, but the checks"
            + " read the log on stderr: use log.event(…) (or log.accepted(…), log.closed(…))"
    }

    /// The first stdout line that matches the failed log step's pattern, and how many stdout lines there were.
    func stdoutMatch(_ failure: StepFailure) -> (String, Int)? {
        guard let pattern = failure.logPattern, let process,
            let (regex, _) = try? compiled(pattern, at: failure.location)
        else { return nil }
        let lines = process.stdoutLines
        guard let line = lines.first(where: { (try? regex.firstMatch(in: $0.text)) != nil }) else { return nil }
        return (line.text, lines.count)
    }

    /// Details about stdout for a failed step: what the program printed there, when the step
    /// read the log (or the log was empty).
    func stdoutLines(for failure: StepFailure) -> [String] {
        guard let process, failure.logPattern != nil, stdoutMatch(failure) == nil else { return [] }
        let lines = process.stdoutLines
        guard !lines.isEmpty else { return [] }
        return ["its stdout (\(lines.count) line\(lines.count == 1 ? "" : "s"), not read by the checks):"]
            + lines.suffix(5).map { "  " + $0.text }
    }

    /// What to say when the program wrote nothing to stderr.
    func nothingOnStderr() -> [String] {
        let printed = process?.stdoutLines.count ?? 0
        if printed > 0 {
            return [
                "(the server wrote nothing to stderr; it printed \(printed) line\(printed == 1 ? "" : "s") on stdout,"
                    + " which the checks do not read: log events with log.event(…))"
            ]
        }
        return [
            "(the server wrote nothing to stderr)",
            "(stdout is buffered: what a program prints there may come late or be lost; log events with log.event(…))",
        ]
    }
}
