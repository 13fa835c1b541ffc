@testable import CheckRuntime
import Foundation
import NetCore
import Testing

/// `scrape` against a real HTTP server: a small Python program that listens on `--listen` (and
/// prints the ready line) and serves a fixed exposition on `--metrics-listen`, or does not.
struct ScrapeRuntimeTests {
    static let exposition = """
        # HELP chat_messages_received_total Messages received.
        # TYPE chat_messages_received_total counter
        chat_messages_received_total 5
        # HELP chat_errors_total Errors by kind.
        # TYPE chat_errors_total counter
        chat_errors_total{kind="protocol"} 1

        """

    /// The program: serves `body` on /metrics (404 elsewhere) unless `serveMetrics` is false.
    func program(body: String, serveMetrics: Bool = true) -> ProgramLaunch {
        let script = """
            import socket, sys, threading, http.server
            args = dict(zip(sys.argv[2::2], sys.argv[3::2]))
            body = sys.argv[1].encode()
            class H(http.server.BaseHTTPRequestHandler):
                def do_GET(self):
                    if self.path != "/metrics":
                        self.send_error(404); return
                    self.send_response(200)
                    self.send_header("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                def log_message(self, *a): pass
            if \(serveMetrics ? "True" : "False"):
                host, port = args["--metrics-listen"].rsplit(":", 1)
                srv = http.server.HTTPServer((host, int(port)), H)
                threading.Thread(target=srv.serve_forever, daemon=True).start()
            main = socket.create_server(("127.0.0.1", 0))
            print("netlab: listening on 127.0.0.1:%d" % main.getsockname()[1], flush=True)
            while True:
                main.accept()
            """
        return ProgramLaunch(executable: "/usr/bin/python3", arguments: ["-c", script, body])
    }

    static let header = "start --listen {listen} --metrics-listen {metrics}\ntimeout 10s\n"

    @Test("a scrape reads the program's metrics, and value expectations pass and fail")
    func values() async throws {
        let results = try await runScript(
            Self.header + """
                check "right values"
                  scrape m "/metrics"
                  expect m valid
                  expect m metric chat_messages_received_total == 5
                  expect m metric chat_errors_total{kind="protocol"} >= 1
                  expect m type chat_errors_total counter
                  expect m no metric chat_errors_total{kind="too_big"}
                check "a wrong value"
                  scrape m "/metrics"
                  expect m metric chat_messages_received_total == 6
                check "a missing series"
                  scrape m "/metrics"
                  expect m metric chat_errors_total{kind="slow"} == 0
                check "a wrong path"
                  scrape m "/nope"
                check "a wrong value, scraped again until the bound"
                  scrape m "/metrics"
                  expect m metric chat_messages_received_total == 5 within 1s
                  expect m metric chat_messages_received_total == 6 within 300ms
                """, program: program(body: Self.exposition))
        #expect(results.count == 5)
        expectPass(results[0])
        expectFail(results[1], "chat_messages_received_total is 5 in scrape m (line 3); expected == 6")
        expectFail(results[2], "scrape m has no sample `chat_errors_total{kind=\"slow\"}`; the samples named chat_errors_total are:")
        #expect(results[2].transcript.contains("line 6: chat_errors_total{kind=\"protocol\"} 1"), "\(results[2].transcript)")
        expectFail(results[3], "answered 404")
        expectFail(results[4], "chat_messages_received_total is 5 in scrape m (line 3); expected == 6 (within 300ms)")
        #expect(results[4].transcript.components(separatedBy: "scrape m: GET").count >= 3, "scraped again: \(results[4].transcript)")
    }

    @Test("`expect m valid` fails with the line of a broken exposition")
    func invalid() async throws {
        let broken = Self.exposition.replacingOccurrences(of: "# TYPE chat_errors_total counter\n", with: "")
        let result = try await runOne(
            Self.header + "check \"c\"\n  scrape m \"/metrics\"\n  expect m valid\n", program: program(body: broken))
        expectFail(
            result,
            "scrape m breaks the Prometheus text format: line 5 of the scrape: \"chat_errors_total{kind=\\\"protocol\\\"} 1\" has no `# TYPE chat_errors_total …` line"
        )
    }

    @Test("a program that does not listen on {metrics} fails the scrape, naming the port")
    func nobodyListens() async throws {
        let result = try await runOne(
            Self.header + "check \"c\"\n  scrape m \"/metrics\"\n", program: program(body: Self.exposition, serveMetrics: false))
        expectFail(result, "scrape m: nothing listens on {metrics} (127.0.0.1:")
    }

    /// A program that does not listen on `{metrics}` while another process (this test) does: a
    /// program cannot point netlab at a server that is not its own.
    @Test("a socket on {metrics} that is not the program's fails the scrape")
    func foreignListener() async throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("netlab-metrics-port-\(getpid())")
        try? FileManager.default.removeItem(at: file)
        defer { try? FileManager.default.removeItem(at: file) }
        let script = """
            import socket, sys
            args = dict(zip(sys.argv[2::2], sys.argv[3::2]))
            open(sys.argv[1], "w").write(args["--metrics-listen"])
            main = socket.create_server(("127.0.0.1", 0))
            print("netlab: listening on 127.0.0.1:%d" % main.getsockname()[1], flush=True)
            while True:
                main.accept()
            """
        // The foreign server: this test process listens on the address the program was given.
        let foreign = Task { () -> TCPListener? in
            for _ in 0..<200 {
                if let address = try? String(contentsOf: file, encoding: .utf8), address.contains(":") {
                    return try? TCPListener.listen(address: address)
                }
                try? await Task.sleep(for: .milliseconds(25))
            }
            return nil
        }
        let result = try await runOne(
            Self.header + "check \"c\"\n  sleep 1s\n  scrape m \"/metrics\"\n",
            program: ProgramLaunch(executable: "/usr/bin/python3", arguments: ["-c", script, file.path]))
        let listener = await foreign.value
        #expect(listener != nil, "the test could not listen on the program's {metrics}")
        try? listener?.close()
        expectFail(result, "is not your program's")
    }
}
