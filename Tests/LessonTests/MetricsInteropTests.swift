@testable import CheckRuntime
import Foundation
import Testing

/// Lesson 14's solution judged by Prometheus's own tools after real traffic: `promtool check
/// metrics` (Debian's prometheus package) lints its scrape, and Python's `prometheus_client`
/// parser (python3-prometheus-client) reads it back, label escapes included; netlab's own reader
/// finds no problem in it either. scripts/install-deps.sh installs both tools (CI runs it), so
/// the tests require them: a missing tool is a failure that says what to install.
@Suite("Lesson 14's metrics with promtool and prometheus_client", .serialized, .timeLimit(.minutes(3)))
struct MetricsInteropTests {
    /// A server name with every character a label value escapes.
    static let name = "lab\"7\"\\north\nwing"

    @Test("after traffic, the scrape is what prometheus_client reads back, and what promtool and netlab accept")
    func judgedByPrometheusTools() async throws {
        let python = try #require(MetricsJudges.python, "\(MetricsJudges.missing)")
        let promtool = try #require(MetricsJudges.promtool, "\(MetricsJudges.missing)")
        let metrics = try CheckExecution.freeMetricsAddress()
        let chat = try await ChatServer.start(
            arguments: ["--metrics-listen", metrics, "--name", Self.name, "--read-limit", "64", "--ping-interval", "60s"],
            program: "solution14")
        defer { chat.stop() }
        let (status, output) = try await runProcess(
            python, ["-", "\(chat.port)", metrics, Self.name], stdin: metricsDriverScript)
        #expect(status == 0 && output.hasSuffix("ok\n"), "\(output)\nserver log:\n\(chat.logLines().joined(separator: "\n"))")
        let body = try #require(MetricsJudges.body(in: output), "no scrape in the driver's output: \(output)")

        let (lint, lintOutput) = try await runProcess(promtool, ["check", "metrics"], stdin: body)
        #expect(lint == 0 && lintOutput.isEmpty, "promtool check metrics: status \(lint): \(lintOutput)\n--- the scrape:\n\(body)")

        let exposition = Exposition.parse(Array(body.utf8))
        #expect(exposition.problems.isEmpty, "\(exposition.problems)")
        #expect(exposition.samples.first { $0.name == "chat_server_info" }?.label("name") == Self.name)
    }

    @Test("the judges judge: promtool refuses an unescaped quote and a counter without _total; prometheus_client refuses the quote")
    func judgesRefuse() async throws {
        let python = try #require(MetricsJudges.python, "\(MetricsJudges.missing)")
        let promtool = try #require(MetricsJudges.promtool, "\(MetricsJudges.missing)")
        let unescaped = "# HELP chat_server_info I.\n# TYPE chat_server_info gauge\nchat_server_info{name=\"lab\"7\"\"} 1\n"
        let noTotal = "# HELP chat_messages_received M.\n# TYPE chat_messages_received counter\nchat_messages_received 1\n"
        let (a, aOut) = try await runProcess(promtool, ["check", "metrics"], stdin: unescaped)
        #expect(a != 0 && aOut.contains("label value"), "\(aOut)")
        let (b, bOut) = try await runProcess(promtool, ["check", "metrics"], stdin: noTotal)
        #expect(b != 0 && bOut.contains("_total"), "\(bOut)")
        let parse =
            "import sys\nfrom prometheus_client.parser import text_string_to_metric_families\nlist(text_string_to_metric_families(sys.stdin.read()))\n"
        let (c, cOut) = try await runProcess(python, ["-c", parse], stdin: unescaped)
        #expect(c != 0 && cOut.contains("ValueError"), "\(cOut)")
        // netlab's reader refuses both too.
        #expect(!Exposition.parse(Array(unescaped.utf8)).problems.isEmpty)
        #expect(!Exposition.parse(Array(noTotal.utf8)).problems.isEmpty)
    }
}

/// Where the judges are: Debian's python3 (with prometheus_client and websockets) and promtool.
enum MetricsJudges {
    static let python = pythonImporting(
        "websockets, prometheus_client.parser",
        candidates: [ProcessInfo.processInfo.environment["NETLAB_SYSTEM_PYTHON"] ?? "/usr/bin/python3", "/usr/local/bin/python3"])
    static let promtool: String? = ["/usr/bin/promtool", "/usr/local/bin/promtool"].first {
        FileManager.default.isExecutableFile(atPath: $0)
    }
    static let missing =
        "the metrics judges are missing: run scripts/install-deps.sh (apt-get install prometheus python3-prometheus-client python3-websockets)"

    /// The scrape the driver printed between its markers.
    static func body(in output: String) -> String? {
        guard let start = output.range(of: "BODY<<<\n"), let end = output.range(of: ">>>BODY", range: start.upperBound..<output.endIndex)
        else { return nil }
        return String(output[start.upperBound..<end.lowerBound])
    }
}

/// The driver: three clients chat (a sends five texts, everyone gets them), a fourth sends a
/// message over the read limit and is closed with 1009, a leaves; then it scrapes until the
/// counts settle, reads the scrape with prometheus_client and checks every value, and prints
/// the scrape between markers. Arguments: the chat's port, the metrics address, the server name.
let metricsDriverScript = #"""
    import asyncio, sys, time, urllib.request
    import websockets
    from prometheus_client.parser import text_string_to_metric_families

    port, metrics, name = int(sys.argv[1]), sys.argv[2], sys.argv[3]

    def scrape():
        with urllib.request.urlopen(f"http://{metrics}/metrics", timeout=5) as r:
            assert r.status == 200, r.status
            assert r.headers["Content-Type"].startswith("text/plain"), r.headers["Content-Type"]
            return r.read().decode()

    def samples(body):
        out, types = {}, {}
        for family in text_string_to_metric_families(body):
            types[family.name] = family.type
            for s in family.samples:
                out[(s.name, tuple(sorted(s.labels.items())))] = s.value
        return out, types

    async def main():
        url = f"ws://127.0.0.1:{port}/chat"
        a, b, c = [await websockets.connect(url) for _ in range(3)]
        for i in range(5):
            await a.send(f"m{i}")
        for ws in (a, b, c):
            for i in range(5):
                got = await asyncio.wait_for(ws.recv(), 10)
                assert got == f"m{i}", got
        big = await websockets.connect(url)
        await big.send("x" * 65)
        try:
            await asyncio.wait_for(big.recv(), 10)
            raise AssertionError("a message over the read limit was not refused")
        except websockets.ConnectionClosed as e:
            code = e.rcvd.code if getattr(e, "rcvd", None) else e.code
            assert code == 1009, code
        await a.close()
        want = {
            ("chat_connections_active", ()): 2,
            ("chat_messages_received_total", ()): 5,
            ("chat_messages_sent_total", ()): 15,
            ("chat_errors_total", (("kind", "too_big"),)): 1,
            ("chat_errors_total", (("kind", "protocol"),)): 0,
            ("chat_broadcast_duration_seconds_count", ()): 5,
            ("chat_broadcast_duration_seconds_bucket", (("le", "+Inf"),)): 5,
            ("chat_server_info", (("name", name),)): 1,
        }
        deadline = time.monotonic() + 10
        while True:
            body = scrape()
            got, types = samples(body)
            wrong = {k: got.get(k) for k, v in want.items() if got.get(k) != v}
            if not wrong:
                break
            if time.monotonic() > deadline:
                raise AssertionError(f"values differ: {wrong}\n{body}")
            await asyncio.sleep(0.05)
        assert types == {
            "chat_connections_active": "gauge", "chat_messages_received": "counter", "chat_messages_sent": "counter",
            "chat_errors": "counter", "chat_broadcast_duration_seconds": "histogram", "chat_server_info": "gauge",
        }, types
        buckets = sorted(
            (float(dict(k[1])["le"]), v) for k, v in got.items() if k[0] == "chat_broadcast_duration_seconds_bucket")
        assert [v for _, v in buckets] == sorted(v for _, v in buckets), buckets
        assert 0 < got[("chat_broadcast_duration_seconds_sum", ())] < 10
        for ws in (b, c):
            await ws.close()
        print("BODY<<<\n" + body + ">>>BODY")
        print("ok")

    asyncio.run(main())
    """#

/// Lesson 14's chat has one home: lesson 13's given files are links to lesson 13's, lesson 14's
/// own given files are linked from its solution and mistakes, and Frames.swift is lesson 13's
/// solution without its entry point.
@Suite("Lesson 14's given files")
struct MetricsGivenFilesTests {
    @Test(
        "the given files are links to their one home",
        arguments: [
            ("lessons/14-metrics/Client.swift", "lessons/13-websocket-chat/Client.swift"),
            ("lessons/14-metrics/Upgrade.swift", "lessons/13-websocket-chat/Upgrade.swift"),
            ("lessons/14-metrics/Protocol.swift", "lessons/13-websocket-chat/Protocol.swift"),
            ("solutions/14-metrics/Client.swift", "lessons/13-websocket-chat/Client.swift"),
            ("solutions/14-metrics/Frames.swift", "lessons/14-metrics/Frames.swift"),
            ("solutions/14-metrics/Hub.swift", "lessons/14-metrics/Hub.swift"),
            ("solutions/14-metrics/Connection.swift", "lessons/14-metrics/Connection.swift"),
            ("solutions/14-metrics/MetricsHTTP.swift", "lessons/14-metrics/MetricsHTTP.swift"),
            ("Tests/Mistakes/14-metrics/Hub.swift", "lessons/14-metrics/Hub.swift"),
            ("Tests/Mistakes/14-metrics/Connection.swift", "lessons/14-metrics/Connection.swift"),
        ])
    func linked(_ path: String, _ home: String) throws {
        let file = packageRoot.appendingPathComponent(path)
        let target = try FileManager.default.destinationOfSymbolicLink(atPath: file.path)
        #expect(
            file.deletingLastPathComponent().appendingPathComponent(target).standardizedFileURL.path
                == packageRoot.appendingPathComponent(home).standardizedFileURL.path, "\(path) links to \(target)")
    }

    @Test("Frames.swift is lesson 13's solution from its first MARK on")
    func framesAreLesson13s() throws {
        let solution = try String(contentsOf: packageRoot.appendingPathComponent("solutions/13-websocket-chat/main.swift"), encoding: .utf8)
        let frames = try String(contentsOf: packageRoot.appendingPathComponent("lessons/14-metrics/Frames.swift"), encoding: .utf8)
        let mark = "// MARK: The handshake's answer"
        let a = try #require(solution.range(of: mark)), b = try #require(frames.range(of: mark))
        #expect(solution[a.lowerBound...] == frames[b.lowerBound...], "lessons/14-metrics/Frames.swift has drifted from lesson 13's solution")
    }
}
