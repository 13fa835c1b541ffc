@testable import Bench
import CheckRuntime
import Foundation
import Testing
import Workbook

/// The table, histogram, compare table and JSON of a bench, rendered from fixed numbers.
@Suite("bench: rendering")
struct BenchRenderTests {
    static let reference = Contender(role: .reference, name: "reference", launch: ProgramLaunch(executable: "/bin/true"))
    static let learner = Contender(role: .learner, name: "yours", launch: ProgramLaunch(executable: "/bin/true"))

    /// Lesson 2's shape: one echo scenario, two programs, two rounds each; the learner's second
    /// scenario failed.
    static func echoReport() -> BenchReport {
        let scenarios = EchoWorkload(defaultConnections: [100, 1000]).scenarios(connections: nil)
        let fast = [
            Sample(
                rate: 40_000, p50: 2000, p99: 5000, max: 9000, cpuPerOperation: 20, rssPerConnection: 4096,
                fdsPerConnection: 1, threads: 3, loadCores: 0.4, histogram: [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 10, 30]),
            Sample(
                rate: 44_000, p50: 1800, p99: 4000, max: 7000, cpuPerOperation: 22, rssPerConnection: 4096,
                fdsPerConnection: 1, threads: 3, loadCores: 0.95, histogram: [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 5, 20]),
        ]
        let slow = [
            Sample(
                rate: 10_000, p50: 9000, p99: 20000, max: 30000, cpuPerOperation: 90, loadCores: 0.2,
                histogram: [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 8]),
            Sample(
                rate: 12_000, p50: 8000, p99: 18000, max: 25000, cpuPerOperation: 80, loadCores: 0.2,
                histogram: [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 9]),
        ]
        return BenchReport(
            subject: "lesson 2", workload: "echo", workloadTitle: "echo ping-pong", contenders: [reference, learner],
            scenarios: scenarios,
            outcomes: [
                [.init(samples: fast), .init(samples: slow)],
                [.init(samples: fast), .init(samples: [], failure: "answered nothing in 2.000 s (0 errors)")],
            ],
            roundsPlanned: 2, roundsDone: 2, duration: 2, warmup: 0.5, notes: ["yours was measured no further after round 1 (1000 connections)."],
            cores: 2, elapsed: 21.5)
    }

    @Test func theTableShowsMediansSpreadRatiosAndFailures() {
        let text = BenchTable.render(Self.echoReport())
        #expect(text.contains("lesson 2 · echo ping-pong"))
        #expect(text.contains("2 rounds of 2.000 s after 0.500 s of warm-up"))
        let lines = text.split(separator: "\n").map(String.init)
        let reference = lines.first { $0.hasPrefix("  reference") }!
        #expect(reference.contains("42.0k"))
        #expect(reference.contains("40.0k–44.0k"))
        #expect(reference.contains("1.00×"))
        #expect(reference.contains("1.90ms"))
        #expect(reference.contains("9.00ms"))  // the worst round's max
        #expect(reference.contains("4.0 KiB"))
        let yours = lines.first { $0.hasPrefix("  yours") }!
        #expect(yours.contains("11.0k"))
        #expect(yours.contains("0.26×"))
        #expect(text.contains("✗ yours: answered nothing in 2.000 s (0 errors)"))
        #expect(text.contains("note: yours was measured no further"))
    }

    @Test func aServerThatAnswersFewConnectionsIsFlagged() {
        var report = Self.echoReport()
        report.outcomes[0][1].samples[0].answered = 1
        report.outcomes[0][1].samples[0].connections = 100
        report.outcomes[0][1].samples[1].answered = 100
        report.outcomes[0][1].samples[1].connections = 100
        let text = BenchTable.render(report)
        #expect(text.contains("! yours: only 1 of 100 connections got an answer in some round"))
        #expect(!text.contains("! reference: only"))
    }

    @Test func theLoadLineSaysWhenNetloadWasTheLimit() {
        let text = BenchTable.render(Self.echoReport())
        #expect(text.contains("load generator: netload used at most 0.95 cores of 2; it was the limit"))
        #expect(text.contains("100 connections (reference)"))
        var calm = Self.echoReport()
        for s in calm.outcomes.indices {
            for c in calm.outcomes[s].indices {
                for r in calm.outcomes[s][c].samples.indices { calm.outcomes[s][c].samples[r].loadCores = 0.3 }
            }
        }
        #expect(BenchTable.render(calm).contains("netload used at most 0.30 cores of 2; it was never the limit"))
    }

    @Test func theHistogramDrawsBarsScaledToTheFullestBucket() {
        let histogram = LatencyHistogram(counts: [0, 0, 0, 0, 2, 8, 0, 1])
        let lines = HistogramRenderer.render(histogram).split(separator: "\n").map(String.init)
        #expect(lines.count == 4)  // buckets 4 through 7, the empty one in between included
        #expect(lines[0].hasPrefix("  16µs–32µs"))
        #expect(lines[0].contains("│" + String(repeating: "■", count: 10) + " 2"))
        #expect(lines[1].contains("│" + String(repeating: "■", count: 40) + " 8"))
        #expect(lines[2].contains("│ 0"))
        #expect(lines[3].contains(" 9.1%"))
        #expect(HistogramRenderer.render(LatencyHistogram(counts: [])) == "  (no latencies)")
        let section = HistogramRenderer.section(Self.echoReport())
        #expect(section.hasPrefix("Latency histogram, 1000 connections (all rounds)"))
        #expect(section.contains("  reference"))
        #expect(!section.contains("  yours"))  // nothing measured there
    }

    @Test func theProgressBarFillsInProportion() {
        #expect(
            ProgressBar.line(done: 6, total: 12, label: "round 1") == "[" + String(repeating: "█", count: 12) + String(repeating: "·", count: 12)
                + "] 6/12  round 1")
        #expect(ProgressBar.line(done: 99, total: 0, label: "x").hasPrefix("[" + String(repeating: "█", count: 24) + "] 1/1"))
    }

    @Test func theCompareTableHasOneRowPerFlavour() {
        let scenarios = KeyValueWorkload().scenarios(connections: [100])
        let threads = Contender(role: .reference, name: "9 blocking threads", launch: nil)
        let loop = Contender(role: .reference, name: "11 event loop", launch: nil)
        let busy = Contender(role: .learner, name: "10 busy-wait", launch: nil, unavailable: "lessons/10-busy-wait/main.swift does not build")
        let report = BenchReport(
            subject: "lessons 9 11 10", workload: "kv", workloadTitle: "kv", contenders: [threads, loop, busy], scenarios: scenarios,
            outcomes: [
                [
                    .init(samples: [Sample(rate: 30_000, p99: 4000, cpuPerOperation: 50, answered: 1, connections: 100)]),
                    .init(samples: [Sample(rate: 50_000, p99: 2500, cpuPerOperation: 25)]), .init(failure: busy.unavailable),
                ],
                [
                    .init(samples: [Sample(rate: 0, rssPerConnection: 70_000, fdsPerConnection: 1, threads: 1002, idleCPU: 0)]),
                    .init(samples: [Sample(rate: 0, rssPerConnection: 300, fdsPerConnection: 1, threads: 1, idleCPU: 0.001)]),
                    .init(failure: busy.unavailable),
                ],
            ],
            roundsPlanned: 1, roundsDone: 1, duration: 1, warmup: 0.5, cores: 2, elapsed: 9)
        let text = CompareTable.render(report)
        #expect(text.contains("ops/s (100 connections)"))
        #expect(text.contains("threads (1000 idle)"))
        let lines = text.split(separator: "\n").map(String.init)
        #expect(lines.contains { $0.hasPrefix("9 blocking threads") && $0.contains("30.0k") && $0.contains("1002") && $0.contains("68.4 KiB") })
        #expect(lines.contains { $0.hasPrefix("11 event loop") && $0.contains("50.0k") && $0.contains("300 B") && $0.contains("0.00 cores") })
        #expect(text.contains("✗ 10 busy-wait: lessons/10-busy-wait/main.swift does not build"))
        #expect(text.contains("! 9 blocking threads: only 1 of 100 connections got an answer"))
        // The idle scenario in the ordinary table: memory per connection against the reference (the first).
        #expect(BenchTable.render(report).contains("0.00×"))
    }

    @Test func theJSONCarriesEveryNumber() throws {
        let data = try BenchJSON.encode(Self.echoReport())
        let object = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        #expect(object["version"] as? Int == 1)
        #expect(object["workload"] as? String == "echo")
        #expect((object["rounds"] as? [String: Any])?["done"] as? Int == 2)
        #expect((object["programs"] as? [[String: Any]])?.map { $0["role"] as? String } == ["reference", "learner"])
        let scenarios = try #require(object["scenarios"] as? [[String: Any]])
        #expect(scenarios.count == 2)
        #expect(scenarios[0]["connections"] as? Int == 100)
        #expect(scenarios[0]["unit"] as? String == "req/s")
        let results = try #require(scenarios[0]["results"] as? [[String: Any]])
        let summary = try #require(results[1]["summary"] as? [String: Any])
        #expect(summary["rate"] as? Double == 11_000)
        #expect(summary["rateMin"] as? Double == 10_000)
        #expect(abs((summary["ratioToReference"] as? Double ?? 0) - 11_000.0 / 42_000.0) < 1e-9)
        #expect(summary["histogram"] as? [Int] == [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 17])
        #expect((results[1]["rounds"] as? [[String: Any]])?.count == 2)
        let failed = try #require(scenarios[1]["results"] as? [[String: Any]])
        #expect(failed[1]["failure"] as? String == "answered nothing in 2.000 s (0 errors)")
        #expect((failed[1]["summary"] as? [String: Any])?["rounds"] as? Int == 0)
    }
}
