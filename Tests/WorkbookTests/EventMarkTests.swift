@testable import CheckLanguage
@testable import CheckResults
@testable import CheckRuntime
import Foundation
@testable import NetlabCommandLine
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
        let early = try await runOne(
            """
            start --listen {listen}
            check "early"
              connect a
              send a "x"
              expect a "x" within 2s
              reset a
              expect server log /^accepted {a.addr}$/ within 300ms
            """)
        expectFail(early, "it was logged before the event it is about")
        expectPass(
            try await runOne(
                """
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
        expectPass(
            try await runOne(
                """
                start --listen {listen}
                check "in order"
                  connect a
                  expect server log /^accepted {a.addr}$/ within 2s
                  close a
                  expect server log /^closed {a.addr}$/ within 2s
                """))
        expectFail(
            try await runOne(
                """
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
            start --listen {listen} --idle-timeout 1500ms
            check "idle"
              connect a
              expect a closed after 300ms within 5s
              expect server log /PATTERN/ within 300ms
            """
        // `after 300ms` counts from the connect, as the server's idle timer does from its accept;
        // a 1.5s timeout keeps the close well clear of the mark however slow the machine is.
        expectPass(try await runOne(script.replacingOccurrences(of: "PATTERN", with: #"^closed {a.addr}: i\/o timeout$"#)))
        expectFail(
            try await runOne(script.replacingOccurrences(of: "PATTERN", with: "^accepted {a.addr}$")),
            "logged before the event")
    }

    @Test("`after T` counts from the client's last send or connect, not from a step that began late")
    func afterCountsFromActivity() async throws {
        // The close comes 1s after the connect, 300ms after this step begins: counted from the
        // step it would be too soon, counted from the connect (as the server's timer is) it is not.
        expectPass(
            try await runOne(
                """
                start --listen {listen} --idle-timeout 1s
                check "late step"
                  connect a
                  sleep 700ms
                  expect a closed after 900ms within 3s
                """))
        // A send restarts the count: after five sends a second apart, the close comes 3 s after
        // the last one (later on a slow machine, but not 3 s later), 8 s after the connect. So
        // `after 6s` fails counted from the last send; counted from the connect it would pass.
        expectFail(
            try await runOne(
                """
                start --listen {listen} --idle-timeout 3s
                check "counted from the send"
                  connect a
                  repeat 5
                    sleep 1s
                    send a "x"
                    expect a "x" within 2s
                  end
                  expect a closed after 6s within 12s
                """), "no sooner than 6s after its last send (or its connect)")
    }

    @Test("without an event, every line of the run counts")
    func noEvent() async throws {
        expectPass(
            try await runOne(
                """
                start --listen {listen}
                check "no event"
                  connect a
                  send a "x"
                  expect a "x" within 2s
                  expect server log /^accepted {a.addr}$/ within 2s
                """))
    }
}

/// `sockets` counts what a connection leak leaves behind and nothing a runtime pools, and
/// `log … count` bounds how many lines match.
@Suite("Sockets and log counts", .serialized, .timeLimit(.minutes(1)))
struct SocketsAndLogCountTests {
    @Test("pipes a program keeps are in fds but not in sockets; sockets it keeps are in both")
    func sockets() async throws {
        let script = """
            start --listen {listen} FLAGS
            check "round"
              sockets as s0
              fds as f0
              parallel 20 as i
                connect c{i}
                send c{i} "x"
                expect c{i} "x" within 2s
                close c{i}
              end
              expect server METRIC <= BASE + 2 within 2s
            """
        func run(_ flags: String, _ metric: String, _ base: String) async throws -> CheckResult {
            try await runOne(
                script.replacingOccurrences(of: "FLAGS", with: flags)
                    .replacingOccurrences(of: "METRIC", with: metric).replacingOccurrences(of: "BASE", with: base))
        }
        expectPass(try await run("--pipe-per-conn", "sockets", "s0"))
        expectFail(try await run("--pipe-per-conn", "fds", "f0"), "expected the server's fds <= f0 + 2")
        expectFail(try await run("--mode leak", "sockets", "s0"), "expected the server's sockets <= s0 + 2")
    }

    @Test("log count: an upper bound holds for a quiet server and fails for one that logs every read")
    func logCount() async throws {
        let script = """
            start --listen {listen} FLAGS
            check "count"
              connect a
              repeat 30
                send a "x"
                expect a "x" within 2s
              end
              expect server log /^read / count <= 5 for 200ms
              expect server log /^accepted / count == 1
            """
        expectPass(try await runOne(script.replacingOccurrences(of: "FLAGS", with: "")))
        expectFail(
            try await runOne(script.replacingOccurrences(of: "FLAGS", with: "--verbose")),
            "expected the number of log lines matching /^read / to be <= 5; it was ")
    }

    @Test("log count within T waits for lines still on their way, and fails with the count at T")
    func logCountWithin() async throws {
        // Twenty clients come and go; their `closed` lines arrive over the next moments.
        let script = """
            start --listen {listen}
            check "closes"
              parallel 20 as i
                connect c{i}
              end
              parallel 20 as i
                close c{i}
              end
              expect server log /^closed / count >= BOUND within 5s
            """
        let passed = try await runOne(script.replacingOccurrences(of: "BOUND", with: "20"))
        expectPass(passed)
        #expect(passed.transcript.contains("log lines matched /^closed / (>= 20, within 5s)"), "\(passed.transcript)")
        // All twenty lines are in before the step that cannot pass begins, so that its count at
        // T is 20 however slowly a busy machine delivers them.
        let failing =
            script.replacingOccurrences(of: "BOUND", with: "20")
            + "\n  expect server log /^closed / count >= 21 within 1s\n"
        expectFail(try await runOne(failing), "expected the number of log lines matching /^closed / to be >= 21 within 1s; it was 20")
    }

    @Test("log count parses a comparison and refuses a size")
    func parse() throws {
        _ = try CheckScript.parse(
            source: "start --listen {listen}\ncheck \"c\"\n  expect server log /x/ count >= 2 within 1s\n", file: "checks.netlab")
        #expect(throws: ScriptError.self) {
            _ = try CheckScript.parse(
                source: "start --listen {listen}\ncheck \"c\"\n  expect server log /x/ count >= 2 for 1s within 2s\n", file: "checks.netlab")
        }
        _ = try CheckScript.parse(source: "start --listen {listen}\ncheck \"c\"\n  expect server log /x/ count >= 2 for 1s\n", file: "checks.netlab")
        #expect(throws: ScriptError.self) {
            _ = try CheckScript.parse(source: "start --listen {listen}\ncheck \"c\"\n  expect server log /x/ count <= 2MiB\n", file: "checks.netlab")
        }
    }
}

/// Resets in a `parallel` block are one event: every client's line after it counts, however
/// the resets and the lines interleave.
@Suite("Event mark in parallel", .serialized, .timeLimit(.minutes(1)))
struct ParallelEventMarkTests {
    @Test("twenty parallel resets, then twenty log steps: every line counts")
    func parallelResets() async throws {
        for _ in 0..<3 {
            expectPass(
                try await runOne(
                    """
                    start --listen {listen}
                    check "resets"
                      parallel 20 as i
                        connect c{i}
                        send c{i} "x"
                        expect c{i} "x" within 2s
                      end
                      parallel 20 as i
                        reset c{i}
                        sleep 20ms
                      end
                      repeat 20
                        expect server log /^closed 127\\.0\\.0\\.1:\\d+: connection reset by peer$/ within 2s
                      end
                    """))
        }
    }

    @Test("a line logged before the parallel block still does not count")
    func beforeTheBlock() async throws {
        expectFail(
            try await runOne(
                """
                start --listen {listen}
                check "early"
                  connect a
                  send a "x"
                  expect a "x" within 2s
                  parallel 2 as i
                    connect c{i}
                    close c{i}
                  end
                  expect server log /^accepted {a.addr}$/ within 300ms
                """), "logged before the event")
    }
}
