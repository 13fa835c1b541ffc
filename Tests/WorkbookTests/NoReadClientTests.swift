@testable import CheckLanguage
@testable import CheckRuntime
@testable import NetlabCommandLine
import Testing
@testable import Workbook

/// `connect NAME no-read` and `send … until closed`: the steps that let a check play a client
/// that floods the server and never reads what comes back (lesson 3's write deadline).
@Suite("No-read clients", .timeLimit(.minutes(1)))
struct NoReadClientTests {
    @Test func parses() throws {
        let s = try steps(
            """
            connect hog no-read within 1s
            send hog random 1MiB within 5s until closed
            """)
        #expect(s[0].connect?.readsNothing == true)
        #expect(s[0].connect?.within == .seconds(1))
        #expect(s[1].send?.untilClosed == true)
        #expect(try steps("  connect a\n  send a \"x\"\n")[1].send?.untilClosed == false)
        let untilOpen = stepError("  connect a\n  send a \"x\" until open\n") ?? ""
        #expect(untilOpen.contains("4:20") && untilOpen.contains("`closed` after `until`"), "\(untilOpen)")
        #expect(stepError("  connect a no-read no-read\n")?.contains("`no-read` given twice") == true)
    }

    // The idle timeout is long enough that a loaded machine cannot delay the send past it: the
    // server must cut the hog off for its writes, not for an idle read before the data came.
    // (At 1.5 s it did once, on a 2-core machine running three test suites and a build: the
    // hog's first bytes came 1.6 s after the accept; at 4 s it did again, in CI, 4 s after.) The
    // send's bound leaves the 8 s write deadline a wide margin.
    static let script = """
        start --listen {listen} --mode echo --idle-timeout 8s FLAGS
        check "a client that never reads is cut off"
          timeout 40s
          connect hog no-read
          send hog random 32MiB within 25s until closed
          expect hog closed within 5s
        """

    @Test func aWriteDeadlineCutsOffTheHog() async throws {
        let r = try await runOne(Self.script.replacingOccurrences(of: " FLAGS", with: ""))
        expectPass(r)
        #expect(r.transcript.contains("reading nothing"))
        #expect(r.transcript.contains("the server ended the connection"))
    }

    @Test func withoutOneTheSendCannotFinish() async throws {
        let r = try await runOne(Self.script.replacingOccurrences(of: "FLAGS", with: "--no-write-deadline"))
        expectFail(r, "could not send random data")
        #expect(r.message?.contains("went out within 25s") == true, "\(r.message ?? "")")
    }

    @Test func anExpectationStartsReading() async throws {
        // Nothing is read until the expect; then the echo that waited in the buffers arrives, and
        // later transfers run at full size (the small buffer of the no-read phase is lifted).
        let r = try await runOne(
            """
            start --listen {listen} --mode echo
            check "late reader"
              connect a no-read
              send a random 64KiB as x
              sleep 100ms
              expect a x within 5s
              send a random 4MiB as big within 10s
              expect a big within 10s
            """)
        expectPass(r)
    }
}
