/// Everything one bench measured: per scenario, per program, each round's sample or why there is none.
package struct BenchReport: Sendable {
    /// One program's rounds in one scenario.
    package struct Outcome: Sendable, Equatable {
        package var samples: [Sample]
        /// Why a round measured nothing (the program did not start, answered nothing, exited), once.
        package var failure: String?

        package init(samples: [Sample] = [], failure: String? = nil) {
            self.samples = samples
            self.failure = failure
        }
    }

    /// What the table heading says: `lesson 2`, `lessons 9 10 11 8`.
    package var subject: String
    /// The workload's ``Workload/name`` and ``Workload/title``.
    package var workload: String
    package var workloadTitle: String
    package var contenders: [Contender]
    package var scenarios: [Scenario]
    /// `outcomes[scenario][contender]`, in the order of ``scenarios`` and ``contenders``.
    package var outcomes: [[Outcome]]
    package var roundsPlanned: Int
    package var roundsDone: Int
    /// Seconds of each timed round (after its warm-up).
    package var duration: Double
    package var warmup: Double
    /// Lines for under the table: a round cut short by the time bound, a program dropped.
    package var notes: [String]
    /// The machine's online CPUs.
    package var cores: Int
    /// How long the measuring took (builds excluded), in seconds.
    package var elapsed: Double

    package init(
        subject: String, workload: String, workloadTitle: String, contenders: [Contender], scenarios: [Scenario],
        outcomes: [[Outcome]], roundsPlanned: Int, roundsDone: Int, duration: Double, warmup: Double,
        notes: [String] = [], cores: Int, elapsed: Double
    ) {
        self.subject = subject
        self.workload = workload
        self.workloadTitle = workloadTitle
        self.contenders = contenders
        self.scenarios = scenarios
        self.outcomes = outcomes
        self.roundsPlanned = roundsPlanned
        self.roundsDone = roundsDone
        self.duration = duration
        self.warmup = warmup
        self.notes = notes
        self.cores = cores
        self.elapsed = elapsed
    }

    /// The program the ratios are to: the reference solution, or (`--compare` of learners'
    /// programs) the first program; nil when there is none.
    package var referenceIndex: Int? { contenders.firstIndex { $0.role == .reference } ?? (contenders.isEmpty ? nil : 0) }
}

/// The medians (and spread) of one program's rounds in one scenario.
package struct Summary: Sendable, Equatable {
    package var rounds: Int
    package var rate: Double?
    package var rateSpread: ClosedRange<Double>?
    package var p50: Double?
    package var p99: Double?
    package var max: Double?
    package var cpuPerOperation: Double?
    package var rssPerConnection: Double?
    package var fdsPerConnection: Double?
    package var threads: Double?
    package var idleCPU: Double?
    /// The most CPU the load generator used in any round, in cores.
    package var loadCores: Double?
    package var errors: Int
    package var histogram: LatencyHistogram
    /// The fewest connections answered in any round, and how many there were; nil when not counted.
    package var answered: Int?
    package var connections: Int?

    package init(_ samples: [Sample]) {
        answered = samples.compactMap(\.answered).min()
        connections = samples.compactMap(\.connections).max()
        rounds = samples.count
        let rates = samples.map(\.rate)
        rate = Stats.median(rates)
        rateSpread = Stats.spread(rates)
        p50 = Stats.median(samples.compactMap(\.p50))
        p99 = Stats.median(samples.compactMap(\.p99))
        // The worst round's maximum, as wrk and oha report it.
        max = samples.compactMap(\.max).filter(\.isFinite).max()
        cpuPerOperation = Stats.median(samples.compactMap(\.cpuPerOperation))
        rssPerConnection = Stats.median(samples.compactMap(\.rssPerConnection))
        fdsPerConnection = Stats.median(samples.compactMap(\.fdsPerConnection))
        threads = Stats.median(samples.compactMap(\.threads))
        idleCPU = Stats.median(samples.compactMap(\.idleCPU))
        loadCores = samples.map(\.loadCores).filter(\.isFinite).max()
        errors = samples.reduce(0) { $0.addingReportingOverflow($1.errors).overflow ? Int.max : $0 + $1.errors }
        histogram = LatencyHistogram.merged(samples.map(\.histogram))
    }
}
