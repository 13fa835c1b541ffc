@testable import CheckLanguage
@testable import CheckRuntime
import Foundation
import Testing
@testable import Workbook

@Suite("Server threads and CPU use over a window", .serialized, .timeLimit(.minutes(3)))
struct ThreadsAndCPUUsageTests {
    static let threadsScript = """
        check "threads"
          threads as base
          connect a
          connect b
          send a get "x"
          expect a not-ok within 3s
          send b get "x"
          expect b not-ok within 3s
          expect server threads >= base + 2 within 3s
          close a
          close b
          expect server threads <= base within 3s
        """

    @Test("threads: a thread per connection is counted, and must go when the connection does")
    func threads() async throws {
        let (python, folder) = try keyValueServer("kvthreads")
        defer { try? FileManager.default.removeItem(at: folder) }
        let good = try await runOne("start --listen {listen} --mode good\n" + Self.threadsScript, program: python)
        expectPass(good)
        #expect(good.transcript.contains("[netlab] threads as base: "), "\(good.transcript)")
        let leak = try await runOne("start --listen {listen} --mode leak-threads\n" + Self.threadsScript, program: python)
        expectFail(leak, "expected the server's threads <= base = ")
        expectFail(leak, "within 3s; it was ")
    }

    @Test("cpu-usage: an idle server passes and the figure is shown; a busy one fails with its figure")
    func cpuUsage() async throws {
        let (python, folder) = try keyValueServer("kvcpu")
        defer { try? FileManager.default.removeItem(at: folder) }
        let idle = try await runOne(
            """
            start --listen {listen} --mode good
            check "idle"
              connect a
              expect server cpu-usage <= 25% for 1s
            """, program: python)
        expectPass(idle)
        #expect(idle.transcript.contains("% of a core over 1s ("), "\(idle.transcript)")
        #expect(idle.transcript.contains("of CPU time) while every client was idle, expected cpu-usage <= 25%"), "\(idle.transcript)")
        // The figure is the point of such a check: the verdict shows it under a pass too.
        #expect(idle.figures.count == 1 && idle.figures[0].hasPrefix("the server used "), "\(idle.figures)")
        let shown = CheckPrinter(style: .plain, verbose: false).render(idle)
        #expect(shown == "✓ idle\n  " + idle.figures[0], "\(shown)")
        // And so does `netlab check`, which shows a pass as its line alone.
        let streamed = VerdictStream(printer: CheckPrinter(style: .plain, verbose: false)).render(idle)
        #expect(streamed == shown, "\(streamed)")
        let busy = try await runOne(
            """
            start --listen {listen} --mode busy
            check "busy"
              connect a
              send a get "x"
              expect server cpu-usage <= 5% for 1s
            """, program: python)
        expectFail(busy, "expected cpu-usage <= 5% for 1s: the server used ")
        expectFail(busy, "% of a core over 1s (")
        // The send came before the window: the clients were idle during it.
        expectFail(busy, "of CPU time) while every client was idle (checks.netlab:5:3)")
        // A failure's message already holds the figure: it is not repeated under it.
        let failed = CheckPrinter(style: .plain, verbose: false).render(busy)
        #expect(failed.hasPrefix("✗ busy\n  expected cpu-usage <= 5% for 1s: the server used "), "\(failed)")
    }

    /// `--cmd "go run ."` or `sh -c "python3 server.py"` (no exec) leaves an idle launcher as
    /// the process netlab started: the measurement covers the program it runs too. The launcher
    /// alone uses 0%; the spinning child gets at least a small share even of a machine as busy
    /// as CI's (21.6% there once), so 5% tells the two apart.
    @Test("measurements cover the processes the program started: a busy server behind an idle launcher")
    func measuresTheWholeTree() async throws {
        let (python, folder) = try keyValueServer("kvtree")
        defer { try? FileManager.default.removeItem(at: folder) }
        let wrapped = ProgramLaunch(
            executable: "/bin/sh",
            arguments: ["-c", "\(python.executable) \(python.arguments.map { "'\($0)'" }.joined(separator: " ")) \"$@\"; true", "sh"])
        let busy = try await runOne(
            """
            start --listen {listen} --mode busy
            check "busy behind a launcher"
              connect a
              expect server cpu-usage >= 5% for 2s
            """, program: wrapped)
        expectPass(busy)
    }

    @Test("cpu-usage: a server that exits during the window fails at once")
    func exitsDuringWindow() async throws {
        let r = try await runOne(
            """
            start --listen {listen} --mode crash --delay 3s
            check "exits"
              expect server cpu-usage <= 50% for 30s
            """)
        expectFail(r, "expected the server's cpu-usage <= 50% over 30s; it ")
    }

    @Test("cpu-usage and threads: syntax and errors")
    func syntax() throws {
        let s = try steps("  threads as t0\n  expect server threads <= t0 + 1\n  expect server cpu-usage < 0.5% for 2s\n")
        #expect(s[0] == .capture(Capture(metric: .threads, name: "t0", location: s[0].location)))
        guard case .expectServer(let usage) = s[2] else {
            Issue.record("\(s)")
            return
        }
        #expect(usage.condition == .cpuUsage(CPUUsage(op: .less, percent: 0.5, window: .seconds(2))))
        let head = "start --listen {listen}\ncheck \"c\"\n"
        let cases: [(String, String)] = [
            ("  expect server cpu-usage <= 5 for 2s", "checks.netlab:3:30: error: `5` is not a percentage; expected a percentage of one core"),
            ("  expect server cpu-usage <= 5%", "checks.netlab:3:32: error: unexpected end of line; expected `for T` after the percentage"),
            ("  expect server cpu-usage <= 5% for 50ms", "checks.netlab:3:37: error: `for 50ms` is too short to measure CPU use"),
            ("  expect server cpu-usage <= 10001% for 1s", "checks.netlab:3:30: error: `10001%` is too large; expected at most 10000%"),
            ("  expect server cpu-usage 5% for 1s", "checks.netlab:3:27: error: unexpected `5%`; expected a comparison after `cpu-usage`"),
            ("  expect server threads <= 5%", "checks.netlab:3:28: error: expected a count (a whole number); found `5%`"),
            ("  expect server thread <= 5", "checks.netlab:3:17: error: unexpected `thread` (did you mean `threads`?)"),
        ]
        for (line, expected) in cases {
            let got = firstError(head + line) ?? "no error"
            #expect(got.hasPrefix(expected), "\(line)\n got: \(got)")
        }
    }
}
