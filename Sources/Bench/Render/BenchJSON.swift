import Foundation

/// `--json FILE`: every number of a bench, each round's sample and each summary, as JSON.
/// Shape: `{version, subject, workload, workloadTitle, rounds{planned, done}, durationSeconds,
/// warmupSeconds, cores, elapsedSeconds, notes[], programs[{name, role}], scenarios[{label,
/// load, connections, unit, results[{program, role, failure?, summary{…}, rounds[…]}]}]}`.
package enum BenchJSON {
    package static let version = 1

    struct Document: Encodable {
        var version: Int
        var subject: String
        var workload: String
        var workloadTitle: String
        var rounds: Rounds
        var durationSeconds: Double
        var warmupSeconds: Double
        var cores: Int
        var elapsedSeconds: Double
        var notes: [String]
        var programs: [Program]
        var scenarios: [ScenarioJSON]
    }

    struct Rounds: Encodable {
        var planned: Int
        var done: Int
    }

    struct Program: Encodable {
        var name: String
        var role: String
    }

    struct ScenarioJSON: Encodable {
        var label: String
        var load: String
        var connections: Int
        var unit: String
        var results: [Result]
    }

    struct Result: Encodable {
        var program: String
        var role: String
        var failure: String?
        var summary: SummaryJSON
        var rounds: [Sample]
    }

    struct SummaryJSON: Encodable {
        var rounds: Int
        var rate: Double?
        var rateMin: Double?
        var rateMax: Double?
        var ratioToReference: Double?
        var p50Micros: Double?
        var p99Micros: Double?
        var maxMicros: Double?
        var cpuMicrosPerOperation: Double?
        var rssBytesPerConnection: Double?
        var fdsPerConnection: Double?
        var threads: Double?
        var idleCPUCores: Double?
        var loadGeneratorCores: Double?
        var errors: Int
        var histogram: [UInt64]
        var answeredConnections: Int?
    }

    static func loadName(_ load: Load) -> String {
        switch load {
        case .echo: "echo"
        case .proxy: "proxy"
        case .lines: "lines"
        case .routed: "routed"
        case .handshake: "handshake"
        case .keyValue: "kv"
        case .fanOut: "fanout"
        case .idle: "idle"
        }
    }

    /// The document for `report`, pretty-printed with sorted keys.
    package static func encode(_ report: BenchReport) throws -> Data {
        let scenarios = report.scenarios.enumerated().map { s, scenario in
            let summaries = report.outcomes[s].map { Summary($0.samples) }
            let reference = report.referenceIndex.map { summaries[$0] }
            return ScenarioJSON(
                label: scenario.label, load: loadName(scenario.load), connections: scenario.load.connections,
                unit: scenario.unit.rawValue,
                results: report.contenders.enumerated().map { c, contender in
                    let summary = summaries[c]
                    let ratio =
                        scenario.isTimed
                        ? Stats.ratio(summary.rate, to: reference?.rate)
                        : Stats.ratio(summary.rssPerConnection, to: reference?.rssPerConnection)
                    return Result(
                        program: contender.name, role: contender.role.rawValue, failure: report.outcomes[s][c].failure,
                        summary: SummaryJSON(
                            rounds: summary.rounds, rate: scenario.isTimed ? summary.rate : nil,
                            rateMin: scenario.isTimed ? summary.rateSpread?.lowerBound : nil,
                            rateMax: scenario.isTimed ? summary.rateSpread?.upperBound : nil, ratioToReference: ratio,
                            p50Micros: summary.p50, p99Micros: summary.p99, maxMicros: summary.max,
                            cpuMicrosPerOperation: summary.cpuPerOperation, rssBytesPerConnection: summary.rssPerConnection,
                            fdsPerConnection: summary.fdsPerConnection, threads: summary.threads, idleCPUCores: summary.idleCPU,
                            loadGeneratorCores: summary.loadCores, errors: summary.errors, histogram: summary.histogram.counts,
                            answeredConnections: summary.answered),
                        rounds: report.outcomes[s][c].samples)
                })
        }
        let document = Document(
            version: version, subject: report.subject, workload: report.workload, workloadTitle: report.workloadTitle,
            rounds: Rounds(planned: report.roundsPlanned, done: report.roundsDone), durationSeconds: report.duration,
            warmupSeconds: report.warmup, cores: report.cores, elapsedSeconds: report.elapsed, notes: report.notes,
            programs: report.contenders.map { Program(name: $0.name, role: $0.role.rawValue) }, scenarios: scenarios)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return try encoder.encode(document)
    }
}
