import Foundation
import Synchronization

/// The event mark: a claim in the server's log about an event (a reset, a close, a timeout) must
/// come after that event. Positive `expect server log` steps match only lines that netlab read
/// at or after the mark, so a program that logs `closed …: connection reset by peer` the moment
/// a client connects does not pass a check that resets the client later.
///
/// The copies of a `parallel` block make their events at about the same time, and the lines
/// about them come in any order: `parallel 20 … reset c{i}` followed by twenty `log` steps must
/// see every client's line, though the last reset came after the first client's line. So the
/// events inside a `parallel` block move the mark once, when the block ends, to the earliest of
/// them.
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
        recordEvent(at: .now)
    }

    /// An event at `instant`: the mark moves there, or, inside a `parallel` block, the block
    /// keeps it for when it ends.
    func recordEvent(at instant: ContinuousClock.Instant) {
        if let events = ParallelEvents.current { events.record(instant) } else { moveEventMark(to: instant) }
    }

    /// Runs `body` (a `parallel` block) with its events collected, then moves the mark (or the
    /// enclosing block's collection) to the earliest of them.
    func withParallelEvents(_ body: () async throws -> Void) async throws {
        let events = ParallelEvents()
        defer {
            if let earliest = events.earliest {
                if let outer = ParallelEvents.current { outer.record(earliest) } else { moveEventMark(to: earliest) }
            }
        }
        try await ParallelEvents.$current.withValue(events) { try await body() }
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

/// The events of one `parallel` block: the earliest is kept.
final class ParallelEvents: Sendable {
    @TaskLocal static var current: ParallelEvents?
    private let first = Mutex<ContinuousClock.Instant?>(nil)

    func record(_ instant: ContinuousClock.Instant) {
        first.withLock { if $0.map({ instant < $0 }) ?? true { $0 = instant } }
    }

    var earliest: ContinuousClock.Instant? { first.withLock { $0 } }
}
