@testable import CheckLanguage
@testable import CheckRuntime
import Foundation
@testable import NetlabCommandLine
import Testing
@testable import Workbook

/// Every primitive, against netlab-testserver run as a real process: each one passes against a
/// program that behaves, and fails (with the right message) against one that does not.
@Suite("Interpreter", .serialized, .timeLimit(.minutes(1)))
struct InterpreterTests {
    @Test("connect, send text, expect text: pass against echo, fail against upper with a diff")
    func textEcho() async throws {
        let script = """
            start --listen {listen} --mode MODE
            check "echo"
              connect a
              send a "hello\\n"
              expect a "hello\\n" within 1s
            """
        expectPass(try await runOne(script.replacingOccurrences(of: "MODE", with: "echo")))
        let bad = try await runOne(script.replacingOccurrences(of: "MODE", with: "upper"))
        expectFail(bad, #"expected "hello\n" from client a; got "HELLO\n", which differs at byte 0"#)
        #expect(bad.message?.hasSuffix("(checks.netlab:5:3)") == true)
        #expect(bad.transcript.contains("^ first difference at byte 0"))
    }

    @Test("expect with a bound: nothing arrives from a silent server")
    func nothing() async throws {
        let r = try await runOne(
            """
            start --listen {listen} --mode silent
            check "silent"
              connect a
              send a "hi"
              expect a "hi" within 300ms
            """)
        expectFail(r, #"expected "hi" from client a within 300ms; got nothing"#)
        #expect(r.duration < .seconds(10))
    }

    @Test("hex and file payloads; binary mismatch shows hex with a caret")
    func binary() async throws {
        let script = """
            start --listen {listen} --mode MODE
            check "binary"
              connect a
              send a hex "00 01 02 03 04 05 06 07 08 09 0a 0b 0c 0d 0e 0f 10 11 12 13 14 15 16 17"
              expect a hex "00 01 02 03 04 05 06 07 08 09 0a 0b 0c 0d 0e 0f 10 11 12 13 14 15 16 17" within 1s
              send a file "fixtures/hello.bin"
              expect a file "fixtures/hello.bin" within 1s
            """
        expectPass(try await runOne(script.replacingOccurrences(of: "MODE", with: "echo")))
        let bad = try await runOne(script.replacingOccurrences(of: "MODE", with: "binbad"))
        expectFail(bad, "which differs at byte 20")
        #expect(bad.transcript.contains("00000010  10 11 12 13 eb"))
    }

    @Test("random data, chunks and pauses; a send that cannot finish in its bound fails")
    func randomAndChunks() async throws {
        expectPass(
            try await runOne(
                """
                start --listen {listen}
                check "big"
                  connect a
                  send a random 1MiB as x within 5s
                  expect a x within 5s
                  send a random 4KiB as y in 8 chunks every 5ms
                  expect a y within 2s
                  send a "HELLO" in chunks of 1
                  expect a "HELLO"
                """))
        let slow = try await runOne(
            """
            start --listen {listen}
            check "too slow"
              connect a
              send a "0123456789" in chunks of 1 every 50ms within 200ms
            """)
        expectFail(slow, "client a could not send")
        let missing = try await runOne(
            """
            start --listen {listen} --mode silent
            check "silent big"
              connect a
              send a random 1MiB as x within 5s
              expect a x within 300ms
            """)
        expectFail(missing, "expected 1 MiB of `x` from client a within 300ms; got nothing")
    }

    @Test("patterns match and consume up to the end of the match")
    func patterns() async throws {
        let script = """
            start --listen {listen} --mode MODE
            check "pattern"
              connect a
              send a "HTTP/1.1 200 OK\\r\\nrest"
              expect a /HTTP\\/1\\.1 \\d+ OK\\r\\n/ within 1s
              expect a "rest" within 1s
            """
        expectPass(try await runOne(script.replacingOccurrences(of: "MODE", with: "echo")))
        expectFail(try await runOne(script.replacingOccurrences(of: "MODE", with: "close")), "expected text matching /HTTP")
    }

    @Test("eof: passes after a half-close, fails while open, fails on unmatched bytes, fails on RST")
    func eof() async throws {
        expectPass(
            try await runOne(
                """
                start --listen {listen}
                check "eof"
                  connect a
                  send a "bye"
                  shutdown a write
                  expect a "bye" within 1s
                  expect a eof within 1s
                """))
        expectFail(
            try await runOne(
                """
                start --listen {listen}
                check "open"
                  connect a
                  expect a eof within 300ms
                """), "expected eof (FIN) from client a within 300ms; the connection is still open")
        expectFail(
            try await runOne(
                """
                start --listen {listen}
                check "unmatched"
                  connect a
                  send a "extra"
                  shutdown a write
                  expect a eof within 1s
                """), "expected eof (FIN) from client a; 5 bytes that no expect matched arrived first")
        expectFail(
            try await runOne(
                """
                start --listen {listen} --mode reset
                check "rst"
                  connect a
                  expect a eof within 1s
                """), "the connection ended with reset (RST)")
    }

    @Test("reset and closed; closed after T")
    func endings() async throws {
        expectPass(
            try await runOne(
                """
                start --listen {listen} --mode reset
                check "rst"
                  connect a
                  expect a reset within 1s
                """))
        expectPass(
            try await runOne(
                """
                start --listen {listen} --mode close
                check "fin"
                  connect a
                  expect a closed within 1s
                """))
        expectFail(
            try await runOne(
                """
                start --listen {listen} --mode close
                check "fin is not rst"
                  connect a
                  expect a reset within 1s
                """), "expected reset (RST) from client a; the connection ended with eof (FIN)")
        expectPass(
            try await runOne(
                """
                start --listen {listen} --idle-timeout 1200ms
                check "idle"
                  connect a
                  expect a closed after 200ms within 4s
                """))
        expectFail(
            try await runOne(
                """
                start --listen {listen} --idle-timeout 100ms
                check "too soon"
                  connect a
                  expect a closed after 3s within 5s
                """), "expected client a's connection to end no sooner than 3s")  // far from 100ms: a busy machine is late
    }

    @Test("silence for T takes T, and fails as soon as bytes arrive")
    func silence() async throws {
        let started = ContinuousClock.now
        expectPass(
            try await runOne(
                """
                start --listen {listen} --mode silent
                check "quiet"
                  connect a
                  send a "hi"
                  expect a silence for 300ms
                """))
        #expect(ContinuousClock.now - started >= .milliseconds(300))
        expectFail(
            try await runOne(
                """
                start --listen {listen}
                check "chatty"
                  connect a
                  send a "hi"
                  expect a silence for 2s
                """), #"it received 2 bytes: "hi""#)
    }

    @Test("connect fails: passes against a refusing upstream, fails against a listening server")
    func connectFails() async throws {
        expectPass(
            try await runOne(
                """
                upstream refuse as down
                start --listen {listen}
                check "refused"
                  connect a to {down.addr} fails within 1s
                """))
        expectFail(
            try await runOne(
                """
                start --listen {listen}
                check "not refused"
                  connect a fails within 1s
                """), "expected connect client a to 127.0.0.1:")
        expectFail(
            try await runOne(
                """
                upstream refuse as down
                start --listen {listen}
                check "refused, unexpectedly"
                  connect a to {down.addr} within 1s
                """), "client a could not connect to 127.0.0.1:")
    }

    @Test("{a.addr} in a log pattern is where client a connects from: its line matches, another client's does not")
    func patternReferences() async throws {
        expectPass(
            try await runOne(
                """
                upstream refuse as down
                start --listen {listen}
                check "names the client"
                  connect a
                  connect b
                  expect server log /^accepted {b.addr}$/ within 2s
                  expect server log /^accepted {a.addr}$/ within 2s
                  expect server no log /{down.addr}|accepted 127\\.0\\.0\\.1:{down.port}/
                  expect server no log /\\d{6}/
                """))
        // Each line satisfies one expectation: a's line is used up, and b's is not a's.
        expectFail(
            try await runOne(
                """
                start --listen {listen}
                check "the wrong client"
                  connect a
                  connect b
                  expect server log /^accepted {a.addr}$/ within 2s
                  expect server log /^accepted {a.addr}$/ within 500ms
                """), "({a.addr} = 127.0.0.1:")
    }

    @Test("a blackhole upstream: a connection attempt gets no answer, refused or accepted, until its bound")
    func blackhole() async throws {
        let started = ContinuousClock.now
        // Two attempts in a row: the second is not let in either (the queue stays full).
        expectPass(
            try await runOne(
                """
                upstream blackhole as void
                start --listen {listen}
                check "no answer"
                  connect a to {void.addr} fails within 400ms
                  connect b to {void.addr} fails within 400ms
                """))
        // A refused connect would fail at once; these each waited for their whole bound.
        #expect(ContinuousClock.now - started >= .milliseconds(800))
        expectFail(
            try await runOne(
                """
                upstream blackhole as void
                start --listen {listen}
                check "expects an answer"
                  connect a to {void.addr} within 300ms
                """), "client a could not connect to 127.0.0.1:")
    }

    @Test("upstreams: received on any connection, connections, eof and silence on the latest")
    func upstreams() async throws {
        expectPass(
            try await runOne(
                """
                upstream echo as up
                start --listen {listen} --mode proxy --upstream {up.addr}
                check "proxy"
                  connect a
                  send a "hello\\n"
                  expect up received "hello\\n" within 1s
                  expect a "hello\\n" within 1s
                  expect up connections == 1
                  connect b
                  send b "second"
                  expect up received "second" within 1s
                  expect b "second" within 1s
                  expect up connections >= 2 within 1s
                  expect up silence for 100ms
                  shutdown b write
                  expect up eof within 1s
                """))
        expectFail(
            try await runOne(
                """
                upstream sink as up
                start --listen {listen} --mode proxy --upstream {up.addr}
                check "wrong bytes"
                  connect a
                  send a "hello"
                  expect up received "bye" within 300ms
                """), #"expected "bye" at upstream up within 300ms; no connection received it"#)
        expectFail(
            try await runOne(
                """
                upstream echo as up
                start --listen {listen} --mode echo --upstream {up.addr}
                check "never dials"
                  connect a
                  send a "hello"
                  expect up connections == 1 within 300ms
                """), "expected upstream up to have accepted == 1 connections within 300ms; it has accepted 0")
        expectPass(
            try await runOne(
                """
                upstream close as slam
                start --listen {listen} --mode proxy --upstream {slam.addr}
                check "upstream closes"
                  connect a
                  expect a closed within 2s
                  expect slam connections == 1
                """))
        expectPass(
            try await runOne(
                """
                upstream silent as slow
                start --listen {listen} --mode proxy --upstream {slow.addr}
                check "upstream says nothing"
                  connect a
                  send a "x"
                  expect a silence for 200ms
                """))
    }

    @Test("TLS: tls-echo upstream through a TCP proxy, verified against {ca}; a wrong CA fails")
    func tls() async throws {
        expectPass(
            try await runOne(
                """
                upstream tls-echo as secure
                start --listen {listen} --mode proxy --upstream {secure.addr}
                check "tls through"
                  tls-connect a sni example.test within 3s
                  send a "ping"
                  expect a "ping" within 2s
                  tls-connect b within 3s
                  send b "pong"
                  expect b "pong" within 2s
                """))
        let fixture = testLessonDirectory.appendingPathComponent("fixtures/other-ca.pem")
        try NetTLSSupport.writeOtherCA(to: fixture.path)
        expectFail(
            try await runOne(
                """
                upstream tls-echo as secure
                start --listen {listen} --mode proxy --upstream {secure.addr}
                check "wrong ca"
                  tls-connect a ca "fixtures/other-ca.pem" within 3s
                """), "client a could not connect with TLS")
        expectPass(
            try await runOne(
                """
                start --listen {listen}
                check "plain server is not TLS"
                  tls-connect a no-verify within 1s fails
                """))
    }

    @Test("server log: each line satisfies one expectation; no log; lines from stderr only")
    func logs() async throws {
        expectPass(
            try await runOne(
                """
                start --listen {listen}
                check "log"
                  connect a
                  expect server log /accepted 127\\.0\\.0\\.1:\\d+/ within 1s
                  close a
                  expect server log /closed 127\\.0\\.0\\.1:\\d+/ within 1s
                  expect server no log /panic/ for 100ms
                """))
        expectFail(
            try await runOne(
                """
                start --listen {listen}
                check "one line, one expectation"
                  connect a
                  expect server log /accepted/ within 1s
                  expect server log /accepted/ within 300ms
                """), "expected a line of the server's log to match /accepted/ within 300ms; none of its")
        expectFail(
            try await runOne(
                """
                start --listen {listen}
                check "no log"
                  connect a
                  expect server log /accepted/ within 1s
                  expect server no log /accepted/
                """), #"expected no line of the server's log to match /accepted/; it logged "accepted 127.0.0.1:"#)
    }

    @Test("alive, stop and exited with status; a crash fails alive")
    func lifecycle() async throws {
        expectPass(
            try await runOne(
                """
                start --listen {listen}
                check "stops on SIGTERM"
                  expect server alive for 200ms
                  stop
                  expect server exited status 0 within 2s
                  connect late fails within 500ms
                """))
        expectFail(
            try await runOne(
                """
                start --listen {listen} --mode crash --delay 100ms
                check "crash"
                  expect server alive for 20s
                """), "expected the server to be running for 20s; it was killed by SIGABRT")  // long: a busy machine's backtracer can take seconds
        expectPass(
            try await runOne(
                """
                start --listen {listen} --mode exit
                check "refuses to start"
                  expect server exited status 3 within 2s
                """))
        expectFail(
            try await runOne(
                """
                start --listen {listen} --mode exit
                check "wrong status"
                  expect server exited status 0 within 2s
                """), "expected the server to exit with status 0; it exited with status 3")
        expectFail(
            try await runOne(
                """
                start --listen {listen}
                check "does not exit"
                  expect server exited within 300ms
                """), "expected the server to exit within 300ms; it is still running")
    }

    @Test("a program that never gets ready: the first step that needs it fails with the reason and the log")
    func notReady() async throws {
        let exited = try await runOne(
            """
            start --listen {listen} --mode exit
            check "exits"
              connect a
            """)
        expectFail(exited, "the server exited with status 3 before printing its ready line")
        #expect(exited.transcript.contains("error: refusing to start: mode exit"))
        let silent = try await runScript(
            """
            timeout 500ms
            start --listen {listen} --mode noready
            check "no ready line"
              connect a
            check "no steps"
            """)
        expectFail(silent[0], "the server printed no ready line (netlab: listening on HOST:PORT) within 500ms")
        expectFail(silent[1], "the server printed no ready line")
    }

    @Test("fds, rss, peak-rss and cpu: captures and comparisons; a leak fails")
    func metrics() async throws {
        expectPass(
            try await runOne(
                """
                start --listen {listen}
                check "no leak"
                  fds as base
                  rss as mem
                  cpu as t0
                  repeat 3 as i
                    parallel 10 as j
                      connect c{j}
                      send c{j} "x{i}{j}"
                      expect c{j} "x{i}{j}" within 2s
                      close c{j}
                    end
                  end
                  expect server fds <= base + 4 within 2s
                  expect server rss <= mem + 64MiB
                  expect server peak-rss >= mem
                  peak-rss as peak
                  expect server peak-rss >= peak
                  expect server peak-rss <= mem + 64MiB
                  expect server cpu <= t0 + 5s
                  expect server fds > 0
                """))
        expectFail(
            try await runOne(
                """
                start --listen {listen} --mode leak
                check "leak"
                  fds as base
                  parallel 20 as i
                    connect c{i}
                    send c{i} "x"
                    expect c{i} "x" within 2s
                    shutdown c{i} write
                    expect c{i} eof within 2s
                  end
                  expect server fds <= base + 4 within 500ms
                """), "expected the server's fds <= base + 4")
    }

    @Test("the check's timeout ends a check whatever its steps do")
    func checkTimeout() async throws {
        let started = ContinuousClock.now
        let r = try await runOne(
            """
            start --listen {listen}
            check "too long"
              timeout 500ms
              sleep 60s
            """)
        expectFail(r, "the check did not finish within its bound of 500ms")
        #expect(ContinuousClock.now - started < .seconds(15))
    }

    @Test("a program that floods stderr still gets graded, and the log keeps its last lines")
    func flood() async throws {
        let r = try await runOne(
            """
            start --listen {listen} --mode flood --flood 2000000
            check "flood"
              connect a
              send a "x"
              expect a "x" within 2s
            """)
        expectPass(r)
        #expect(r.transcript.contains("bytes of the server's output were dropped"))
    }

    @Test("results carry points, index, location and hint")
    func resultFields() async throws {
        let results = try await runScript(
            """
            start --listen {listen} --mode silent
            check "one" points 3
              connect a
            check "two" points 2
              hint "Echo what you read."
              connect a
              send a "x"
              expect a "x" within 200ms
            """)
        #expect(results.map(\.status) == [.pass, .fail])
        #expect(results.map(\.points) == [3, 0])
        #expect(results.map(\.maxPoints) == [3, 2])
        #expect(results.map(\.index) == [1, 2])
        #expect(results[1].location == "checks.netlab:4:1")
        #expect(results[1].hint == "Echo what you read.")
        #expect(results[1].transcript.contains("hint: Echo what you read."))
    }

    @Test("a missing fixture is an error of the check, not a failure")
    func missingFixture() async throws {
        let r = try await runOne(
            """
            start --listen {listen}
            check "fixture"
              connect a
              send a file "fixtures/nope.bin"
            """)
        #expect(r.status == .error)
        #expect(r.message?.contains("cannot read fixtures/nope.bin") == true)
    }
}
