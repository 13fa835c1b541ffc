@testable import CheckLanguage
@testable import CheckRuntime
import Foundation
@testable import NetlabCommandLine
import Testing
@testable import Workbook

/// The line of netlab-testserver's main.swift that holds `text` (its crash sites), 1-based.
func testServerLine(containing text: String) throws -> Int {
    let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../../Sources/NetlabTestServer/main.swift").standardized
    let lines = try String(contentsOf: url, encoding: .utf8).split(separator: "\n", omittingEmptySubsequences: false)
    return try #require(lines.firstIndex { $0.contains(text) }) + 1
}

/// netlab-testserver with `SWIFT_BACKTRACE` set as given.
func testServer(backtrace: String) throws -> ProgramLaunch {
    ProgramLaunch(executable: try testServerPath(), environment: ["SWIFT_BACKTRACE": backtrace])
}

@Suite("The program's end: crashes and exits are the headline", .serialized, .timeLimit(.minutes(2)))
struct ProgramEndTests {
    /// Two clients; the program traps when it accepts the first, so its connection ends.
    static let trapScript = """
        start --listen {listen} --mode trap
        check "two clients"
          connect c1
          send c1 "hi\\n"
          expect c1 "hi\\n" within 20s
          connect c2
        """

    @Test("a Swift trap with the backtracer on: the trap line and the program's own line come first")
    func trapWithBacktrace() async throws {
        let line = try testServerLine(containing: "numbers[numbers.count")
        let r = try await runOne(Self.trapScript, program: try testServer(backtrace: "enable=yes"))
        let headline = "your program crashed: Fatal error: Index out of range at main.swift:\(line)"
        expectFail(r, headline)
        #expect(r.message?.hasPrefix(headline + "; then expected \"hi\\n\" from client c1") == true, "\(r.message ?? "")")
        #expect(r.programEnd?.how == .crashed(summary: "Fatal error: Index out of range", location: "main.swift:\(line)"))
        #expect(r.programEnd?.afterReady == true)
        #expect(r.programEnd?.isCrash == true)
        // The transcript says it where it happened, and again in the failure, which keeps the step's own words.
        #expect(r.transcript.contains("[netlab] the server crashed: Fatal error: Index out of range at main.swift:\(line)"))
        #expect(r.transcript.contains("[netlab] the server was killed by SIGILL"), "\(r.transcript)")
        #expect(r.transcript.contains("\n\(headline)\nexpected \"hi\\n\" from client c1"), "\(r.transcript)")
        #expect(
            r.transcript.range(
                of: #"\n  the server (had )?crashed at \+\d+\.\d{3}s, (before|during) this step\n"#,
                options: .regularExpression) != nil, "\(r.transcript)")
    }

    @Test("by default a Swift program reports a crash briefly: the crashed thread, with its source line, no registers")
    func friendlyBacktrace() async throws {
        let line = try testServerLine(containing: "numbers[numbers.count")
        let r = try await runOne(Self.trapScript)
        expectFail(r, "your program crashed: Fatal error: Index out of range at main.swift:\(line); then")
        #expect(r.transcript.contains(" crashed:"), "\(r.transcript)")
        #expect(!r.transcript.contains("Registers:") && !r.transcript.contains("Images ("), "\(r.transcript)")
        #expect(r.transcript.contains("| "), "the source line: \(r.transcript)")
        // The learner's own choice stands.
        #expect(ProgramLaunch.withCrashReports([:], inherited: ["SWIFT_BACKTRACE": "enable=no"]) == [:])
        #expect(ProgramLaunch.withCrashReports(["SWIFT_BACKTRACE": "enable=no"], inherited: [:]) == ["SWIFT_BACKTRACE": "enable=no"])
    }

    @Test("a Swift trap with the backtracer off: the trap line, and no place (the report names none of the program's)")
    func trapWithoutBacktrace() async throws {
        let r = try await runOne(Self.trapScript, program: try testServer(backtrace: "enable=no"))
        expectFail(r, "your program crashed: Fatal error: Index out of range; then expected")
        #expect(r.programEnd?.how == .crashed(summary: "Fatal error: Index out of range", location: nil))
    }

    @Test("abort() after the ready line: the backtracer's reason heads the message; without it, the signal is said once")
    func abortCrash() async throws {
        let r = try await runOne(
            """
            start --listen {listen} --mode crash --delay 100ms
            check "crash"
              expect server alive for 5s
            """, program: try testServer(backtrace: "enable=yes"))
        // (The backtracer cannot unwind through abort() in libc: no place of the program's own.)
        // On a busy machine the backtracer may not have written its report before netlab's stop:
        // then the signal alone is the crash.
        let message = r.message ?? ""
        #expect(
            message.hasPrefix("your program crashed: Aborted; then expected the server to be running for 5s; it was killed by SIGABRT")
                || message.hasPrefix("your program crashed: it was killed by SIGABRT"), "\(message)")
        #expect(r.programEnd?.isCrash == true)
        let bare = try await runOne(
            """
            start --listen {listen} --mode crash --delay 100ms
            check "crash"
              expect server alive for 5s
            """, program: try testServer(backtrace: "enable=no"))
        // The signal is news the message already holds: no headline to repeat it.
        #expect(
            bare.message?.hasPrefix("expected the server to be running for 5s; it was killed by SIGABRT") == true,
            "\(bare.message ?? "")")
        #expect(bare.programEnd?.how == .killed(signal: "SIGABRT"))
        #expect(bare.programEnd?.isCrash == true)
    }

    @Test("a program that exits after its ready line: the exit heads the message, and the step says it came before it")
    func exitAfterReady() async throws {
        let r = try await runOne(
            """
            start --listen {listen} --mode quit
            check "two clients"
              connect a
              expect a eof within 5s
              sleep 100ms
              connect b
            """)
        expectFail(r, "your program exited with status 1 after its ready line; then client b could not connect to 127.0.0.1:")
        #expect(r.programEnd?.how == .exited(status: 1))
        #expect(r.programEnd?.afterReady == true)
        #expect(r.transcript.contains("[netlab] the server exited with status 1"), "\(r.transcript)")
        #expect(r.transcript.contains("  the server had exited with status 1 "), "\(r.transcript)")
        #expect(r.transcript.contains("s, before this step"), "\(r.transcript)")
        // Golden files keep the sentence's punctuation after a normalised time.
        #expect(
            TranscriptNormaliser.normalised("exited with status 1 at +0.420s, before this step") == "exited with status 1 at +T, before this step")
    }

    @Test("an exit the check expects is no headline; a wrong status is said once")
    func expectedExit() async throws {
        let pass = try await runOne(
            """
            start --listen {listen} --mode quit
            check "exits"
              connect a
              expect server exited status 1 within 5s
            """)
        expectPass(pass)
        #expect(pass.programEnd?.how == .exited(status: 1))
        let wrong = try await runOne(
            """
            start --listen {listen} --mode quit
            check "exits"
              connect a
              expect server exited status 0 within 5s
            """)
        #expect(wrong.message == "expected the server to exit with status 0; it exited with status 1 (checks.netlab:4:3)")
        let early = try await runOne(
            """
            start --listen {listen} --mode exit
            check "exits"
              connect a
            """)
        // Before the ready line the message already says it.
        #expect(early.message?.hasPrefix("the server exited with status 3 before printing its ready line") == true, "\(early.message ?? "")")
        #expect(early.programEnd?.how == .exited(status: 3))
        #expect(early.programEnd?.afterReady == false)
    }

    @Test("netlab's own stop, and a `stop` step, are not an end of the program's own")
    func stoppedByNetlab() async throws {
        let r = try await runOne(
            """
            start --listen {listen}
            check "stopped"
              stop
              expect server exited status 0 within 2s
              connect a
            """)
        expectFail(r, "client a could not connect")
        #expect(r.programEnd == nil)
        #expect(!r.message!.hasPrefix("your program"))
        let silent = try await runOne(
            """
            start --listen {listen} --mode silent
            check "times out"
              connect a
              expect a "x" within 200ms
            """)
        #expect(silent.programEnd == nil)
    }

    @Test("events printed on stdout instead of logged: the line is shown, and the log is named")
    func printedNotLogged() async throws {
        let r = try await runOne(
            """
            start --listen {listen} --mode print
            check "logs"
              connect a
              expect server log /accepted {a.addr}/ within 300ms
            """)
        expectFail(r, "none of its 0 lines did; your program printed \"accepted 127.0.0.1:")
        expectFail(r, "on stdout, but the checks read the log on stderr: use log.event(…)")
        // LessonKit makes stdout line-buffered: the line came when it was printed.
        #expect(r.transcript.contains("[server stdout] accepted 127.0.0.1:"), "\(r.transcript)")
        #expect(!r.transcript.contains("the server's stdout came only as it exited"), "\(r.transcript)")
        #expect(
            r.transcript.contains("(the server wrote nothing to stderr; it printed 1 line on stdout, which the checks do not read"),
            "\(r.transcript)")
        #expect(r.programEnd == nil)
        // Another pattern: no stdout line matches, so they are listed under the failure.
        let other = try await runOne(
            """
            start --listen {listen} --mode print
            check "logs"
              connect a
              expect server log /sni/ within 300ms
            """)
        expectFail(other, "none of its 0 lines did (checks.netlab:4:3)")
        #expect(other.transcript.contains("  its stdout (1 line, not read by the checks):\n    accepted 127.0.0.1:"), "\(other.transcript)")
    }

    @Test("stdout that arrives only as the program exits (block-buffered) is shown, with a note on its times")
    func lateStdout() async throws {
        let program = """
            import os, signal, socket, sys
            sys.stdout = os.fdopen(1, 'w', 4096)  # block-buffered, whatever PYTHONUNBUFFERED says
            signal.signal(signal.SIGTERM, lambda *a: sys.exit(0))
            addr = sys.argv[sys.argv.index('--listen') + 1]
            host, port = addr.rsplit(':', 1)
            s = socket.socket(); s.bind((host, int(port))); s.listen()
            print('netlab: listening on %s:%d' % s.getsockname(), flush=True)
            c, a = s.accept()
            print('accepted %s:%d' % a)
            c.recv(10)
            """
        let (python, _, folder) = try pythonProgram(program, name: "pylate")
        defer { try? FileManager.default.removeItem(at: folder) }
        let r = try await runOne(
            """
            start --listen {listen}
            check "logs"
              connect a
              expect server log /accepted/ within 300ms
            """, program: python)
        expectFail(r, "your program printed \"accepted 127.0.0.1:")
        #expect(r.transcript.contains("[netlab] the server's stdout came only as it exited: stdout to a pipe is buffered"), "\(r.transcript)")
        #expect(r.transcript.contains("(stdout is buffered: what a program prints there may come late or be lost"), "\(r.transcript)")
    }

    @Test("tls-connect says which part stalled: no answer to the handshake, or a few bytes and then nothing")
    func tlsStall() async throws {
        let silent = try await runOne(
            """
            start --listen {listen} --mode stall
            check "tls"
              tls-connect a no-verify within 400ms
            """)
        expectFail(silent, "client a could not connect with TLS to 127.0.0.1:")
        expectFail(silent, ": TCP connected at +")  // the time is a busy machine's to choose
        expectFail(silent, "; the TLS handshake got no answer within 400ms")
        #expect(silent.transcript.contains("[client a] tls-connect 127.0.0.1:"), "\(silent.transcript)")
        #expect(silent.transcript.contains(": TCP connected from 127.0.0.1:"), "\(silent.transcript)")
        #expect(silent.transcript.contains("[client a] TLS handshake: no answer from the server within 400ms"), "\(silent.transcript)")
        let half = try await runOne(
            """
            start --listen {listen} --mode halfhello
            check "tls"
              tls-connect a no-verify within 400ms
            """)
        expectFail(half, "; the server sent 5 bytes of handshake (the last at +")
        expectFail(half, "), then nothing within 400ms")
        #expect(half.transcript.contains("[client a] TLS handshake: 5 bytes from the server so far"), "\(half.transcript)")
        #expect(half.transcript.contains("[client a] TLS handshake: nothing more from the server within 400ms"), "\(half.transcript)")
        let expected = try await runOne(
            """
            start --listen {listen} --mode stall
            check "tls fails"
              tls-connect a no-verify fails within 300ms
            """)
        expectPass(expected)
        #expect(expected.transcript.contains("failed as expected: TCP connected at +"), "\(expected.transcript)")
    }

    @Test("a Python traceback after the ready line is a crash, with the program's own line")
    func pythonCrash() async throws {
        let program = """
            import socket, sys
            addr = sys.argv[sys.argv.index('--listen') + 1]
            host, port = addr.rsplit(':', 1)
            s = socket.socket(); s.bind((host, int(port))); s.listen()
            print('netlab: listening on %s:%d' % s.getsockname(), flush=True)
            c, a = s.accept()
            print([1][2])
            """
        let (python, file, folder) = try pythonProgram(program, name: "pycrash")
        defer { try? FileManager.default.removeItem(at: folder) }
        let r = try await runOne(
            """
            start --listen {listen}
            check "crash"
              connect a
              expect a "x" within 5s
            """, program: python)
        expectFail(r, "your program crashed: IndexError: list index out of range at server.py:7; then expected \"x\" from client a")
        // A traceback the program printed and survived is no crash.
        try
            (program.replacingOccurrences(
                of: "print([1][2])", with: "import traceback\ntry: [1][2]\nexcept Exception: traceback.print_exc()\nc.recv(10)"))
            .write(to: file, atomically: true, encoding: .utf8)
        let survived = try await runOne(
            """
            start --listen {listen}
            check "survives"
              connect a
              expect a "x" within 500ms
            """, program: python)
        expectFail(survived, "expected \"x\" from client a within 500ms")
        #expect(survived.transcript.contains("IndexError: list index out of range"), "\(survived.transcript)")
        #expect(survived.programEnd == nil)
        #expect(!survived.message!.hasPrefix("your program"))
    }
}
