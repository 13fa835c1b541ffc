@testable import CheckLanguage
@testable import CheckRuntime
import Foundation
@testable import NetlabCommandLine
import Testing
@testable import Workbook

@Suite("Interpreter, more", .serialized, .timeLimit(.minutes(1)))
struct InterpreterMoreTests {
    @Test("a check timeout interrupts a send that a silent server never reads")
    func timeoutDuringSend() async throws {
        let started = ContinuousClock.now
        let r = try await runOne(
            """
            start --listen {listen} --mode silent
            check "blocked send"
              timeout 700ms
              connect a
              send a random 16MiB within 30s
            """)
        expectFail(r, "the check did not finish within its bound of 700ms (checks.netlab:5:3)")
        // Far below the send's own 30 s, which is what this tells apart; on a loaded 2-core
        // machine starting the server and tearing down took 6 s once, so not 5 s.
        #expect(ContinuousClock.now - started < .seconds(15))
    }

    @Test("one failing copy fails a parallel block")
    func parallelFailure() async throws {
        expectFail(
            try await runOne(
                """
                start --listen {listen}
                check "parallel"
                  parallel 5 as i
                    connect c{i}
                    send c{i} "x{i}"
                    expect c{i} "x0" within 1s
                  end
                """), "from client c")
    }

    @Test("verbose runs show every read; tls-echo shows the SNI it saw")
    func verbose() async throws {
        let results = try await runScript(
            """
            upstream tls-echo as secure
            start --listen {listen} --mode proxy --upstream {secure.addr}
            check "tls"
              tls-connect a sni api.example.test within 3s
              send a "ping"
              expect a "ping" within 2s
            """, options: RunOptions(verbose: true, stopGrace: .milliseconds(500)))
        let r = try #require(results.first)
        expectPass(r)
        #expect(r.transcript.contains("[upstream secure] connection 1: TLS handshake done, sni api.example.test"))
        #expect(r.transcript.contains(#"[client a] read 4 bytes: "ping""#))
    }

    @Test("{NAME.host}, {NAME.port} reach the program; connect … to {NAME.addr} and to {listen}")
    func placeholders() async throws {
        let r = try await runOne(
            """
            upstream echo as up
            start --listen {listen} --mode echo --quiet-close --upstream {up.host}:{up.port}
            check "args"
              connect b to {up.addr}
              send b "direct"
              expect b "direct" within 1s
              connect a to {listen}
              send a "via listen"
              expect a "via listen" within 1s
            """)
        expectPass(r)
        #expect(r.transcript.contains("--upstream 127.0.0.1:"))
    }

    @Test("any program that honours the contract can be graded: a Python echo server")
    func python() async throws {
        let program = """
            import socket, sys, threading
            addr = sys.argv[sys.argv.index('--listen') + 1]
            host, port = addr.rsplit(':', 1)
            s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1); s.bind((host, int(port))); s.listen()
            print('netlab: listening on %s:%d' % s.getsockname(), flush=True)
            def serve(c, a):
                print('accepted %s:%d' % a, file=sys.stderr, flush=True)
                while True:
                    d = c.recv(65536)
                    if not d: break
                    c.sendall(d)
                c.close()
            while True:
                c, a = s.accept(); threading.Thread(target=serve, args=(c, a), daemon=True).start()
            """
        let r = try await runOne(
            """
            start --listen {listen}
            check "python echo"
              connect a
              send a "hello from swift\\n"
              expect a "hello from swift\\n" within 2s
              expect server log /accepted 127\\.0\\.0\\.1:\\d+/ within 2s
              stop
              expect server exited within 2s
            """, program: ProgramLaunch(executable: "python3", arguments: ["-c", program]))
        expectPass(r)
    }

    @Test("a ready line without a newline is named in the failure")
    func unterminatedReadyLine() async throws {
        let results = try await runScript(
            """
            timeout 400ms
            start --listen {listen}
            check "no newline"
              connect a
            """, program: ProgramLaunch(executable: "/bin/sh", arguments: ["-c", "printf 'netlab: listening on 127.0.0.1:1'; exec sleep 100", "sh"]))
        expectFail(try #require(results.first), #"stdout holds "netlab: listening on 127.0.0.1:1" with no newline after it"#)
    }

    @Test("the design's sketch passes against an echo server with an idle timeout")
    func sketch() async throws {
        let results = try await runScript(
            """
            lesson "Timeouts"
            start --listen {listen} --idle-timeout 1200ms

            check "closes an idle client after the idle timeout" points 2
              hint "Set the read deadline before every read, not once per connection."
              connect a
              expect a closed after 250ms within 4s

            check "idle clients do not block new ones"
              parallel 50 as i
                connect idle{i}
              end
              connect b
              send b "hi\\n"
              expect b "hi\\n" within 1s

            check "no leaked descriptors"
              fds as base
              parallel 100 as i
                connect c{i}
                close c{i}
              end
              expect server fds <= base + 2 within 2s
            """)
        #expect(results.count == 3)
        for r in results { expectPass(r) }
        #expect(results.map(\.points) == [2, 1, 1])
    }

    @Test("many clients at once: parallel 200 with an expect each")
    func manyClients() async throws {
        let started = ContinuousClock.now
        expectPass(
            try await runOne(
                """
                start --listen {listen} --quiet-close
                check "many"
                  parallel 200 as i
                    connect c{i}
                    send c{i} random 4KiB as d{i}
                    expect c{i} d{i} within 5s
                    close c{i}
                  end
                """))
        #expect(ContinuousClock.now - started < .seconds(20))
    }

    @Test("a program that ignores SIGTERM is killed at the end of the check, and the transcript says so")
    func ignoresTerm() async throws {
        let started = ContinuousClock.now
        let r = try await runOne(
            """
            start --listen {listen}
            check "starts"
            """,
            program: ProgramLaunch(
                executable: "/bin/sh",
                arguments: [
                    // It really listens: a ready line naming a port that is not the program's fails.
                    "-c",
                    "trap '' TERM; exec python3 -c \"import socket, time; s = socket.socket(); s.bind(('127.0.0.1', 0)); "
                        + "s.listen(); print('netlab: listening on 127.0.0.1:%d' % s.getsockname()[1], flush=True); time.sleep(100)\"",
                    "sh",
                ]))
        expectPass(r)
        #expect(r.transcript.contains("it ignored SIGTERM for 3s, so it got SIGKILL"))
        #expect(ContinuousClock.now - started < .seconds(10))
    }

    @Test("a program that cannot be started is an error, not a failure")
    func cannotStart() async throws {
        let r = try await runOne(
            """
            start --listen {listen}
            check "starts"
              connect a
            """, program: ProgramLaunch(executable: "/nonexistent/lesson99"))
        #expect(r.status == .error)
        #expect(r.message?.contains("cannot start /nonexistent/lesson99") == true, "\(r.message ?? "")")
    }

    @Test("the complete example of docs/checks.md passes against a proxy")
    func completeExample() async throws {
        let docs = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("../../docs/checks.md")
        let text = try String(contentsOf: docs, encoding: .utf8)
        let section = try #require(text.range(of: "## Complete example"))
        let rest = text[section.upperBound...]
        let start = try #require(rest.range(of: "```netlab\n"))
        let end = try #require(rest[start.upperBound...].range(of: "```"))
        let script = String(rest[start.upperBound..<end.lowerBound])
            .replacingOccurrences(of: "start --listen {listen} --upstream", with: "start --listen {listen} --mode proxy --upstream")
        _ = FileManager.default.createFile(
            atPath: testLessonDirectory.appendingPathComponent("fixtures/clienthello.bin").path,
            contents: Data(RandomData.bytes(count: 517, seed: 7)))
        let results = try await runScript(script, options: RunOptions(stopGrace: .seconds(1)))
        #expect(results.count == 12)
        for r in results { expectPass(r) }
    }

    @Test("the fast random bytes are RandomData.bytes")
    func fastRandom() {
        for count in [0, 1, 7, 8, 9, 1000, 4099] {
            #expect(fastRandomBytes(count: count, seed: 42) == RandomData.bytes(count: count, seed: 42))
        }
    }

    @Test("a TLS server started with {cert} and {key}: tls-connect verifies it, with and without SNI")
    func tlsServer() async throws {
        expectPass(
            try await runOne(
                """
                start --listen {listen} --mode tls --cert {cert} --key {key}
                check "terminates TLS"
                  tls-connect a sni example.test within 3s
                  expect server log /sni example\\.test/ within 2s
                  send a "hello"
                  expect a "hello" within 2s
                  tls-connect b within 3s
                  expect server log /sni none/ within 2s
                  close a
                  expect server log /closed/ within 2s
                """))
        // The certificate names every `sni` of the script, so a wrong name cannot be tested
        // here; a CA that did not sign it can.
        let other = testLessonDirectory.appendingPathComponent("fixtures/other-ca-2.pem")
        try NetTLSSupport.writeOtherCA(to: other.path)
        expectFail(
            try await runOne(
                """
                start --listen {listen} --mode tls --cert {cert} --key {key}
                check "not signed by that CA"
                  tls-connect a sni example.test ca "fixtures/other-ca-2.pem" within 3s
                """), "certificate verify failed")
    }
}
