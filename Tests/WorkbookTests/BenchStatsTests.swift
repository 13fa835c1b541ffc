@testable import Bench
import Testing

/// The arithmetic under a bench table: medians, spreads, ratios, per-connection deltas and
/// histograms, from fixed numbers.
@Suite("bench: statistics")
struct BenchStatsTests {
    @Test func mediansOfOddAndEvenCounts() {
        #expect(Stats.median([3.0, 1, 2]) == 2)
        #expect(Stats.median([4.0, 1, 3, 2]) == 2.5)
        #expect(Stats.median([7.0]) == 7)
        #expect(Stats.median([Double]()) == nil)
        #expect(Stats.median([1, 2, 3, 4]) == 2.5)
    }

    @Test func mediansNeitherOverflowNorCountNonFiniteValues() {
        let huge = Double.greatestFiniteMagnitude
        #expect(Stats.median([huge, huge]) == huge)
        #expect(Stats.median([1.0, .nan, 3, .infinity]) == 2)
        #expect(Stats.median([Double.nan]) == nil)
    }

    @Test func spreadIsMinToMax() {
        #expect(Stats.spread([5.0, 1, 3]) == 1...5)
        #expect(Stats.spread([Double]()) == nil)
        #expect(Stats.relativeSpread([90.0, 100, 110]) == 0.2)
        #expect(Stats.relativeSpread([0.0, 0]) == nil)
    }

    @Test func ratiosNeedANonZeroFiniteBaseline() {
        #expect(Stats.ratio(50, to: 100) == 0.5)
        #expect(Stats.ratio(50, to: 0) == nil)
        #expect(Stats.ratio(nil, to: 100) == nil)
        #expect(Stats.ratio(50, to: nil) == nil)
        #expect(Stats.ratio(.infinity, to: 2) == nil)
        #expect(Stats.ratio(Double.greatestFiniteMagnitude, to: 0.5) == nil)
    }

    @Test func perConnectionDeltasAreChecked() {
        #expect(Stats.perConnection(before: 1000, after: 3000, count: 100) == 20)
        #expect(Stats.perConnection(before: 3000, after: 1000, count: 100) == -20)
        #expect(Stats.perConnection(before: 0, after: 10, count: 0) == nil)
        #expect(Stats.perConnection(before: Int.min, after: Int.max, count: 1) == nil)
    }

    @Test func histogramsParseMergeAndSaturate() throws {
        let parsed = try #require(LatencyHistogram(netload: "0,0,3,5"))
        #expect(parsed.counts == [0, 0, 3, 5])
        #expect(parsed.occupied == 2...3)
        #expect(LatencyHistogram(netload: "1,x") == nil)
        #expect(LatencyHistogram(netload: "1,,2") == nil)
        let merged = LatencyHistogram.merged([[1, 2], [0, 0, 4], [UInt64.max, 1]])
        #expect(merged.counts == [UInt64.max, 3, 4])
        #expect(merged.total == UInt64.max)
        #expect(LatencyHistogram.lowerBound(0) == 0)
        #expect(LatencyHistogram.lowerBound(10) == 1024)
    }

    @Test func summariesTakeMediansAndTheWorstMaximum() {
        let samples = [
            Sample(rate: 100, p50: 10, p99: 50, max: 90, cpuPerOperation: 20, loadCores: 0.3, errors: 1, histogram: [0, 1]),
            Sample(rate: 300, p50: 30, p99: 70, max: 400, cpuPerOperation: 40, loadCores: 0.5, errors: 2, histogram: [1, 1]),
        ]
        let summary = Summary(samples)
        #expect(summary.rounds == 2)
        #expect(summary.rate == 200)
        #expect(summary.rateSpread == 100...300)
        #expect(summary.p50 == 20)
        #expect(summary.max == 400)
        #expect(summary.cpuPerOperation == 30)
        #expect(summary.loadCores == 0.5)
        #expect(summary.errors == 3)
        #expect(summary.histogram.counts == [1, 2])
    }

    @Test func netloadLinesBecomeFigures() throws {
        let echo = try #require(
            Netload.figures(
                of: .echo(connections: 100),
                line: "answered=99 reqs=5000 secs=2.000000 rps=2500.0 cpu=0.400000 errors=0 p50us=30.5 p99us=80.0 maxus=900.0 hist=0,0,1,4"))
        #expect(echo.rate == 2500)
        #expect(echo.p99 == 80)
        #expect(echo.max == 900)
        #expect(echo.histogram == [0, 0, 1, 4])
        #expect(echo.answered == 99)
        let kv = try #require(
            Netload.figures(of: .keyValue(connections: 1), line: "ops=10 secs=1.0 rps=10.0 cpu=0.1 errors=1 notok=2 p50us=1 p99us=2 maxus=3 hist="))
        #expect(kv.errors == 3)
        let fanOut = try #require(
            Netload.figures(
                of: .fanOut(clients: 10, silent: 0),
                line: "ops=586 secs=2.0 rps=293.0 cpu=0.57 errors=1 deliveries=5860 p50us=2402.2 p99us=10647.2 maxus=12196.0 hist=0,0,3"))
        #expect(fanOut.rate == 293)
        #expect(fanOut.p50 == 2402.2 && fanOut.errors == 1 && fanOut.histogram == [0, 0, 3])
        #expect(Netload.figures(of: .fanOut(clients: 10, silent: 0), line: "ops=0 secs=0 cpu=0 errors=1 upgrade=failed")?.errors == 1)
        let proxy = try #require(Netload.figures(of: .proxy(streams: 8), line: "bytes=2000000000 secs=2.0 cpu=0.5 errors=0 threads=2"))
        #expect(proxy.rate == 1000)  // MB/s: 2,000 MB in 2 s
        #expect(Netload.figures(of: .echo(connections: 1), line: "netload: connect: refused") == nil)
        #expect(Netload.figures(of: .echo(connections: 1), line: "reqs=1 secs=nan cpu=0") == nil)
    }

    @Test func theDefaultDurationKeepsABenchInsideItsBound() {
        for lesson in Workloads.lessons {
            let scenarios = Workloads.forLesson(lesson)!.scenarios(connections: nil)
            for programs in 1...3 {
                let duration = BenchSettings.defaultDuration(rounds: 3, programs: programs, scenarios: scenarios, warmup: 0.5)
                let estimate = BenchSettings.estimate(rounds: 3, programs: programs, scenarios: scenarios, duration: duration, warmup: 0.5)
                #expect(duration >= 0.5 && duration <= 2)
                if programs <= 2 { #expect(estimate <= 60, "lesson \(lesson), \(programs) programs: \(estimate) s") }
            }
        }
    }
}
