import Foundation
import Testing
@testable import Workbook

/// A log line about an event counts only when it was logged after the event: after a `reset`,
/// `close`, `shutdown … write` or `stop`, and after the earliest moment an ending seen with
/// `after T` can have happened.
@Suite("Event mark", .serialized, .timeLimit(.minutes(1)))
struct EventMarkTests {
    @Test("a line logged before a reset does not satisfy a log expectation after it; one logged after does")
    func reset() async throws {
        // The echo logs `accepted` when a client connects: a true line, but about an earlier event.
        let early = try await runOne("""
        start --listen {listen}
        check "early"
          connect a
          send a "x"
          expect a "x" within 2s
          reset a
          expect server log /^accepted {a.addr}$/ within 300ms
        """)
        expectFail(early, "it was logged before the event it is about")
        expectPass(try await runOne("""
        start --listen {listen}
        check "after"
          connect a
          send a "x"
          expect a "x" within 2s
          reset a
          expect server log /^closed {a.addr}: connection reset by peer$/ within 2s
        """))
    }

    @Test("a close moves the mark too; log steps before it still see every line")
    func close() async throws {
        expectPass(try await runOne("""
        start --listen {listen}
        check "in order"
          connect a
          expect server log /^accepted {a.addr}$/ within 2s
          close a
          expect server log /^closed {a.addr}$/ within 2s
        """))
        expectFail(try await runOne("""
        start --listen {listen}
        check "accepted after the close"
          connect a
          send a "x"
          expect a "x" within 2s
          close a
          expect server log /^accepted {a.addr}$/ within 300ms
        """), "logged before the event")
    }

    @Test("an ending seen with `after T` moves the mark to T after its step began")
    func timeout() async throws {
        let script = """
        start --listen {listen} --idle-timeout 400ms
        check "idle"
          connect a
          expect a closed after 300ms within 3s
          expect server log /PATTERN/ within 300ms
        """
        expectPass(try await runOne(script.replacingOccurrences(of: "PATTERN", with: #"^closed {a.addr}: i\/o timeout$"#)))
        expectFail(try await runOne(script.replacingOccurrences(of: "PATTERN", with: "^accepted {a.addr}$")),
                   "logged before the event")
    }

    @Test("without an event, every line of the run counts")
    func noEvent() async throws {
        expectPass(try await runOne("""
        start --listen {listen}
        check "no event"
          connect a
          send a "x"
          expect a "x" within 2s
          expect server log /^accepted {a.addr}$/ within 2s
        """))
    }
}
