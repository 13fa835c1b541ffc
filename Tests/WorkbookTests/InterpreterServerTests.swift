@testable import CheckLanguage
@testable import CheckRuntime
import Foundation
@testable import NetlabCommandLine
import Testing
@testable import Workbook

/// More of the "Interpreter" suite (the same serialized suite, in a file of its own to keep
/// each under 400 lines): upstreams, TLS, the server log and lifecycle, metrics, bounds, results.
extension InterpreterTests {
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
