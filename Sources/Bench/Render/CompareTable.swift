import Workbook

/// `netlab bench --compare 9 10 11 8`: the table of the article "Many flavors of networking IO"
/// (seed 003) with the learner's own figures: the same key-value workload against each flavour,
/// one row each, with the threads, memory per connection and CPU of 1,000 idle connections
/// beside the loaded rate.
package enum CompareTable {
    /// `report`'s programs are the flavours, in the order asked; its scenarios are the loaded
    /// key-value scenario(s) and the idle one. The rate shown is the last loaded scenario's.
    package static func render(_ report: BenchReport, style: Style = .plain) -> String {
        let loaded = report.scenarios.indices.last { report.scenarios[$0].isTimed }
        let idle = report.scenarios.indices.first { !report.scenarios[$0].isTimed }
        let rateHeader = loaded.map { "ops/s (\(report.scenarios[$0].label))" } ?? "ops/s"
        let idleLabel = idle.map { report.scenarios[$0].load.connections } ?? 0
        let header = [
            "flavour", rateHeader, "p99", "CPU/op", "threads (\(idleLabel) idle)", "RSS/conn", "idle CPU",
        ]
        var rows: [[String]] = []
        var failures: [String] = []
        for (c, contender) in report.contenders.enumerated() {
            let busy = loaded.map { Summary(report.outcomes[$0][c].samples) }
            let quiet = idle.map { Summary(report.outcomes[$0][c].samples) }
            let failure = ([loaded, idle].compactMap { $0 }.compactMap { report.outcomes[$0][c].failure }).first
            if (busy?.rounds ?? 0) == 0 && (quiet?.rounds ?? 0) == 0 {
                failures.append("\(style.red("✗")) \(contender.name): \(failure ?? contender.unavailable ?? "not measured")")
                continue
            }
            rows.append([
                contender.name, Figures.rate(busy?.rate, unit: .operations), Figures.latency(busy?.p99),
                Figures.cpu(busy?.cpuPerOperation), Figures.count(quiet?.threads), Figures.bytes(quiet?.rssPerConnection),
                quiet?.idleCPU.map { Figures.cores($0) + " cores" } ?? "–",
            ])
            if let failure { failures.append("\(style.yellow("!")) \(contender.name): \(failure)") }
            for summary in [busy, quiet].compactMap({ $0 }) {
                if let answered = summary.answered, let connections = summary.connections, answered < connections {
                    failures.append("\(style.yellow("!")) \(contender.name): only \(answered) of \(connections) connections got an answer")
                }
            }
        }
        var out = [style.bold("The same key-value workload against each flavour (seed 003)")]
        if !rows.isEmpty { out.append(renderTable(header: header, rows: rows, rightAligned: Set(1..<header.count), style: style)) }
        out += failures
        return out.joined(separator: "\n")
    }
}
