@testable import CheckLanguage
@testable import CheckRuntime
import Foundation
import Testing
@testable import Workbook

/// `stop` sends SIGTERM and lets the program run on: what it sends its clients afterwards is
/// still read, its log is still matched, and `expect server exited … within T` waits for its own
/// exit with a deadline (lesson 15's graceful shutdown is graded this way).
@Suite("stop lets the server run on", .serialized, .timeLimit(.minutes(1)))
struct StopStepTests {
    @Test("after stop: the log is matched, the server is alive, and it exits by itself within the bound")
    func runsOnAfterStop() async throws {
        // The test server's graceful mode logs the signal, works for --delay, then exits 0. The
        // delay is long enough for a loaded machine to run the log and alive steps before it ends.
        expectPass(
            try await runOne(
                """
                start --listen {listen} --mode graceful --delay 4s
                check "runs on"
                  stop
                  expect server log /^graceful: SIGTERM$/ within 3s
                  expect server alive
                  expect server exited status 0 within 15s
                """))
        expectFail(
            try await runOne(
                """
                start --listen {listen} --mode graceful --delay 20s
                check "exits too late"
                  stop
                  expect server log /^graceful: SIGTERM$/ within 3s
                  expect server exited within 300ms
                """), "expected the server to exit within 300ms; it is still running")
    }

    @Test("after stop: a client reads what the server sends while it shuts down, then its FIN")
    func clientsReadAfterStop() async throws {
        // A Python server that answers SIGTERM by saying goodbye to its client and exiting 0.
        let program = """
            import signal, socket, sys, time
            addr = sys.argv[sys.argv.index('--listen') + 1]
            host, port = addr.rsplit(':', 1)
            s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1); s.bind((host, int(port))); s.listen()
            print('netlab: listening on %s:%d' % s.getsockname(), flush=True)
            c, a = s.accept()
            print('accepted %s:%d' % a, file=sys.stderr, flush=True)
            def bye(*_):
                s.close()
                time.sleep(0.3)
                c.sendall(b'going away\\n'); c.close()
                print('said goodbye', file=sys.stderr, flush=True)
                sys.exit(0)
            signal.signal(signal.SIGTERM, bye)
            while True: time.sleep(1)
            """
        let r = try await runOne(
            """
            start --listen {listen}
            check "goodbye after stop"
              connect a
              expect server log /^accepted / within 3s
              stop
              expect a "going away\\n" within 3s
              expect a eof within 3s
              expect server log /^said goodbye$/ within 3s
              expect server exited status 0 within 3s
              connect late fails within 1s
            """, program: ProgramLaunch(executable: "python3", arguments: ["-c", program]))
        expectPass(r)
        #expect(r.transcript.contains("stop: sent SIGTERM to the server"), "\(r.transcript)")
    }
}
