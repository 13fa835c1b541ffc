import CheckResults
import Foundation

/// Why a check failed, when the cause is not the check's subject: the program was not there to
/// be tested. A check's hint is about what the check tests (task groups, descriptor leaks,
/// routes); when the program crashed, exited or never printed its ready line before the step
/// that failed, that hint sends the learner after a bug they do not have. The hint shown is
/// then one about the cause (``hint``).
///
/// ``of(_:)`` is the one place that reads the cause from a ``CheckResult``: the runner's
/// ``CheckResult/programEnd`` when it recorded one, else its words (the message and the
/// transcript: a program that never printed its ready line, or closed its listener).
public enum FailureCause: Sendable, Equatable {
    /// The program crashed: the first line of its crash report (`Fatal error: Index out of range`).
    case crashed(String)
    /// The program ended on its own before the step: `exited with status 1`, `was killed by
    /// SIGKILL`, or nil when the status is not known (it was gone when netlab looked).
    case exited(String?, beforeReady: Bool)
    /// The program printed no ready line within the bound.
    case notReady
    /// A connection was refused while the program was still running: it had closed its listener.
    case stoppedListening

    /// The cause of `check`'s failure, or nil when the failure is about the check's subject
    /// (or the check passed).
    public static func of(_ check: CheckResult) -> FailureCause? {
        guard check.status != .pass else { return nil }
        // A step about the program's life (`expect server alive`, `exited`): its end is the
        // check's subject, and the check's own hint is the one that fits.
        let message = check.message ?? ""
        if message.hasPrefix("expected the server to be running") || message.hasPrefix("expected the server to exit") {
            return nil
        }
        if let end = check.programEnd {
            switch end.how {
            case .crashed(let summary, let location):
                return .crashed(summary + (location.map { " at \($0)" } ?? ""))
            case .killed(let signal) where end.isCrash:
                return .crashed("killed by \(signal)")
            case .exited, .killed:
                return .exited(end.what, beforeReady: !end.afterReady)
            }
        }
        let lines = check.transcript.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        // A check that stops the program (`stop`) is about how it ends: its exit is no news.
        let stopsTheServer = lines.contains { $0.contains("[netlab] stop: sent SIGTERM") }
        // What the program did before netlab stopped it at the end of the check.
        let stopIndex = lines.firstIndex { $0.contains("[netlab] stopped the server") } ?? lines.count
        let beforeStop = lines[..<stopIndex]
        if let crash = beforeStop.lazy.compactMap(crashLine).first {
            return .crashed(crash)
        }
        if stopsTheServer { return nil }
        if message.hasPrefix("the server printed no ready line") { return .notReady }
        if let status = firstMatch(
            #"the server (?:is not running: it )?(exited with status -?\d+|was killed by (?:SIG[A-Z0-9]+|signal \d+))"#, in: message)
        {
            return .exited(status, beforeReady: message.contains("before printing its ready line"))
        }
        if let status = beforeStop.lazy.compactMap({
            firstMatch(#"\[netlab\] the server (exited with status -?\d+|was killed by (?:SIG[A-Z0-9]+|signal \d+))"#, in: $0)
        }).first {
            return .exited(status, beforeReady: false)
        }
        if message.contains("could not connect"), message.contains("connection refused") {
            // The program was started and ready (a ready line), yet its port refused: it had
            // exited (netlab had nothing left to stop) or it closed its listener.
            let started = lines.contains { $0.contains("[netlab] $ ") }
            let stopped = stopIndex < lines.count
            if started { return stopped ? .stoppedListening : .exited(nil, beforeReady: false) }
        }
        return nil
    }

    /// `Fatal error: Index out of range` from a line of the program's stderr in a transcript.
    static func crashLine(_ line: String) -> String? {
        guard line.contains("[server]") || line.hasPrefix("  ") else { return nil }
        if let range = line.range(of: "Fatal error:") {
            let text = line[range.lowerBound...].trimmingCharacters(in: .whitespaces)
            return String(text.prefix(200))
        }
        for marker in ["*** Program crashed:", "*** Signal"] {
            if let range = line.range(of: marker) {
                let text = line[range.lowerBound...].trimmingCharacters(in: CharacterSet(charactersIn: " *"))
                return String(text.prefix(200))
            }
        }
        return nil
    }

    static func firstMatch(_ pattern: String, in text: String) -> String? {
        guard let regex = try? NSRegularExpression(pattern: pattern),
            let match = regex.firstMatch(in: text, range: NSRange(text.startIndex..., in: text)),
            match.numberOfRanges > 1, let range = Range(match.range(at: 1), in: text)
        else { return nil }
        return String(text[range])
    }

    /// The hint for this cause, in place of the check's own. `runCommand` (`netlab run 2`) is
    /// how to start the program by hand.
    public func hint(runCommand: String = "netlab run N") -> String {
        switch self {
        case .crashed(let what):
            return "your program crashed (\(what)) before this step, so this check could not test what it is about."
                + " Fix the crash first: its stderr above shows where it happened."
        case .exited(let status, let beforeReady):
            let how = status.map { "your program \($0)" } ?? "your program had exited"
            if beforeReady {
                return "\(how) before it printed its ready line; its last lines on stderr above say why."
                    + " Start it by hand (\(runCommand)) to watch it start."
            }
            return "\(how) before this step, so this check could not test what it is about; see its last lines on"
                + " stderr above. A server keeps serving until it is stopped: an error on one connection must not end it."
        case .notReady:
            return "netlab waits for the ready line `netlab: listening on HOST:PORT` on stdout before it connects:"
                + " call log.ready(listener.address) once the listener is open."
        case .stoppedListening:
            return "the connection was refused while your program was still running: it had closed its listener (or"
                + " stopped accepting for good) before this step. The accept loop must go on until the program is stopped."
        }
    }
}

extension CheckResult {
    /// The hint to show for this check: about the cause when the failure has one that is not
    /// the check's subject (``FailureCause``), else the check's own hint.
    public func fittingHint(runCommand: String = "netlab run N") -> String? {
        FailureCause.of(self)?.hint(runCommand: runCommand) ?? hint
    }
}
