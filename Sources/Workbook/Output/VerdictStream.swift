import CheckResults
import Synchronization

/// Decides, as each check's verdict arrives, how much of it `netlab check` prints: rustlings'
/// "one failure in focus". The first check that fails is shown in full (message, folded
/// transcript, the hint that fits it); every other check is one line, so the failure that
/// names the bug stays on screen and one hint speaks for one cause. With `verbose`, every
/// check is shown in full, as the printer renders it.
public final class VerdictStream: Sendable {
    public let printer: CheckPrinter
    private let state = Mutex(State())

    struct State {
        var focusShown = false
        var laterFailures = 0
    }

    public init(printer: CheckPrinter) {
        self.printer = printer
    }

    /// The text for `check`, in the order the checks finish.
    public func render(_ check: CheckResult) -> String {
        if printer.verbose { return printer.render(check) }
        if check.status == .pass { return printer.line(check) + printer.figureLines(check) }
        let first = state.withLock { s -> Bool in
            if s.focusShown {
                s.laterFailures += 1
                return false
            }
            s.focusShown = true
            return true
        }
        return first ? printer.render(check) : printer.line(check)
    }

    /// How many failing checks were shown as one line only.
    public var laterFailures: Int { state.withLock { $0.laterFailures } }

    /// After the lesson's summary, when failing checks were shown as one line: how to see
    /// them in full (`netlab check 2 --verbose`).
    public func closingNote(command: String) -> String? {
        let later = laterFailures
        guard later > 0, !printer.verbose else { return nil }
        let checks = later == 1 ? "1 more check failed" : "\(later) more checks failed"
        return printer.style.dim(
            "\(checks) (one line each above): fix the first failure first, often it is their cause too."
                + " `\(command) --verbose` shows every check in full.")
    }
}
