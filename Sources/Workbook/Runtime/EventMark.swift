import Foundation

/// The event mark: a claim in the server's log about an event (a reset, a close, a timeout) must
/// come after that event. Positive `expect server log` steps match only lines that netlab read
/// at or after the mark, so a program that logs `closed …: connection reset by peer` the moment
/// a client connects does not pass a check that resets the client later.
///
/// The mark moves forward only. It is set by the steps that make an event (`reset`, `close`,
/// `shutdown … write`, `stop`) when they begin, and by an ending seen with `after T`
/// (`expect a closed after 250ms`), to T after the step began: the step proves the ending came
/// no sooner, so a line about it cannot honestly come sooner either.
extension CheckExecution {
    /// Moves the mark to now, once netlab has read what the program wrote to stderr before now
    /// (at most 100 ms of waiting for the reader thread: the pipe is read all the time).
    func markEvent() async {
        if let process {
            let deadline = ContinuousClock.now + .milliseconds(100)
            while process.unreadStderrBytes > 0, ContinuousClock.now < deadline {
                try? await Task.sleep(for: .milliseconds(1))
            }
        }
        moveEventMark(to: .now)
    }

    /// Moves the mark to `instant` when that is later than where it is.
    func moveEventMark(to instant: ContinuousClock.Instant) {
        eventMark.withLock { mark in
            if mark.map({ instant > $0 }) ?? true { mark = instant }
        }
    }

    /// Whether a log line may satisfy a positive log expectation: it was read at or after the mark.
    func isAfterEventMark(_ line: OutputLine) -> Bool {
        eventMark.withLock { mark in mark.map { line.time >= $0 } ?? true }
    }
}
