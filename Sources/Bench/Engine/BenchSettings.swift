import Foundation

/// How a bench runs: rounds, their length, the time bound, and where netload is.
package struct BenchSettings: Sendable {
    /// The bound of a bench with the default settings (builds excluded).
    package static let defaultBound: Duration = .seconds(60)
    /// The measuring budget the default round length is chosen for: what is left of
    /// ``defaultBound`` after starting and stopping the programs.
    static let defaultBudget = 45.0

    package var rounds: Int
    /// Seconds of each timed load, after its warm-up.
    package var duration: Double
    package var warmup: Double
    /// `--conns LIST`: the connections (streams, clients) of each scenario; nil: the workload's.
    package var connections: [Int]?
    /// When the whole bench stops, however far it got.
    package var bound: Duration
    /// The netload binary.
    package var netload: String
    /// The development certificate and key, for a program that serves TLS.
    package var certificate: (cert: String, key: String)?

    package init(
        rounds: Int, duration: Double, warmup: Double, connections: [Int]?, bound: Duration, netload: String,
        certificate: (cert: String, key: String)? = nil
    ) {
        self.rounds = rounds
        self.duration = duration
        self.warmup = warmup
        self.connections = connections
        self.bound = bound
        self.netload = netload
        self.certificate = certificate
    }

    /// Seconds one program's round takes besides its timed loads: starting and stopping it,
    /// the idle scenario.
    static let roundOverhead = 0.6
    static let idleCost = 2.0

    /// The round length that keeps `rounds` rounds of `scenarios` for `programs` programs inside
    /// ``defaultBudget``: at most 2 s, at least 0.5 s.
    package static func defaultDuration(rounds: Int, programs: Int, scenarios: [Scenario], warmup: Double) -> Double {
        let runs = Double(max(1, rounds) * max(1, programs))
        let timed = Double(max(1, scenarios.filter(\.isTimed).count))
        let fixed = roundOverhead + Double(scenarios.filter { !$0.isTimed }.count) * idleCost
        let perLoad = (defaultBudget / runs - fixed) / timed - warmup
        return min(2, max(0.5, perLoad))
    }

    /// What a bench with these settings should take, in seconds (for the bound of one with
    /// `--duration` or `--rounds` given).
    package static func estimate(rounds: Int, programs: Int, scenarios: [Scenario], duration: Double, warmup: Double) -> Double {
        let timed = Double(scenarios.filter(\.isTimed).count) * (duration + warmup)
        let idle = Double(scenarios.filter { !$0.isTimed }.count) * idleCost
        return Double(max(1, rounds) * max(1, programs)) * (roundOverhead + timed + idle)
    }
}
