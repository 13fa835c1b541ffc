import Workbook

/// The bench's table, in the manner of wrk, oha and hey: a heading that says what ran and how,
/// then one section per scenario, one row per program, the medians of its rounds with the rate's
/// spread (min–max) and the ratio to the reference; then the load generator's line and notes.
package enum BenchTable {
    package static func render(_ report: BenchReport, style: Style = .plain) -> String {
        var out: [String] = []
        out.append(style.bold("\(report.subject) · \(report.workloadTitle)"))
        var how = "\(report.roundsDone) round\(report.roundsDone == 1 ? "" : "s")"
        if report.roundsDone != report.roundsPlanned { how += " (of \(report.roundsPlanned))" }
        how += " of \(Netload.seconds(report.duration)) s"
        if report.warmup > 0, report.scenarios.contains(where: { Netload.warmup($0.load, planned: 1) > 0 }) {
            how += " after \(Netload.seconds(report.warmup)) s of warm-up"
        }
        how += ", programs interleaved · medians, rate spread min–max · \(report.cores) cores · \(Netload.seconds(report.elapsed)) s"
        out.append(style.dim(how))
        for (s, scenario) in report.scenarios.enumerated() {
            out.append("")
            out.append(style.bold(scenario.label))
            out.append(
                section(report, s, style: style).split(separator: "\n", omittingEmptySubsequences: false).map { "  " + $0 }.joined(separator: "\n"))
        }
        out.append("")
        out.append(loadLine(report))
        for note in report.notes { out.append(style.dim("note: \(note)")) }
        return out.joined(separator: "\n")
    }

    /// One scenario's rows.
    static func section(_ report: BenchReport, _ s: Int, style: Style) -> String {
        let scenario = report.scenarios[s]
        let summaries = report.outcomes[s].map { Summary($0.samples) }
        let reference = report.referenceIndex.map { summaries[$0] }
        var rows: [[String]] = []
        var failures: [String] = []
        var header: [String]
        var right: Set<Int>
        if scenario.isTimed {
            header = [
                "program", scenario.unit.rawValue, "spread", "× ref", "p50", "p99", "max", "CPU/\(scenario.unit.operation)",
                "RSS/conn", "fds/conn", "threads",
            ]
            right = Set(1..<header.count)
        } else {
            header = ["program", "RSS/conn", "× ref", "fds/conn", "threads", "idle CPU"]
            right = Set(1..<header.count)
        }
        for (c, contender) in report.contenders.enumerated() {
            let summary = summaries[c]
            let outcome = report.outcomes[s][c]
            guard summary.rounds > 0 else {
                failures.append("\(style.red("✗")) \(contender.name): \(outcome.failure ?? "not measured")")
                continue
            }
            if scenario.isTimed {
                let spread =
                    summary.rateSpread.map {
                        "\(Figures.rate($0.lowerBound, unit: scenario.unit))–\(Figures.rate($0.upperBound, unit: scenario.unit))"
                    } ?? "–"
                rows.append([
                    contender.name, Figures.rate(summary.rate, unit: scenario.unit), spread,
                    Figures.ratio(Stats.ratio(summary.rate, to: reference?.rate)), Figures.latency(summary.p50),
                    Figures.latency(summary.p99), Figures.latency(summary.max), Figures.cpu(summary.cpuPerOperation),
                    Figures.bytes(summary.rssPerConnection), Figures.count(summary.fdsPerConnection),
                    Figures.count(summary.threads),
                ])
            } else {
                rows.append([
                    contender.name, Figures.bytes(summary.rssPerConnection),
                    Figures.ratio(Stats.ratio(summary.rssPerConnection, to: reference?.rssPerConnection)),
                    Figures.count(summary.fdsPerConnection), Figures.count(summary.threads),
                    Figures.cores(summary.idleCPU) + " cores",
                ])
            }
            if let answered = summary.answered, let connections = summary.connections, answered < connections {
                failures.append(
                    "\(style.yellow("!")) \(contender.name): only \(answered) of \(connections) connections got an answer in some round;"
                        + " the others' requests count in the latencies with the time they waited")
            }
            if summary.errors > 0 {
                failures.append(
                    "\(style.yellow("!")) \(contender.name): \(summary.errors) error\(summary.errors == 1 ? "" : "s") in \(summary.rounds) round\(summary.rounds == 1 ? "" : "s")"
                )
            }
            if let failure = outcome.failure { failures.append("\(style.yellow("!")) \(contender.name), a later round: \(failure)") }
        }
        // A load that measures no latency (a proxy's byte stream, handshakes) shows no latency columns.
        if scenario.isTimed, !summaries.contains(where: { $0.p50 != nil }) {
            let keep = header.indices.filter { !["p50", "p99", "max"].contains(header[$0]) }
            header = keep.map { header[$0] }
            rows = rows.map { row in keep.map { row[$0] } }
            right = Set(1..<header.count)
        }
        var text = rows.isEmpty ? "" : renderTable(header: header, rows: rows, rightAligned: right, style: style)
        if !failures.isEmpty { text += (text.isEmpty ? "" : "\n") + failures.joined(separator: "\n") }
        return text
    }

    /// The cores netload can use in `load` before it, not the program, is the limit.
    static func loadCeiling(_ load: Load, cores: Int) -> Double {
        switch load {
        case .echo, .keyValue, .fanOut, .idle: 1  // one thread
        case .proxy(let n), .lines(let n), .routed(let n), .handshake(let n): Double(max(1, min(n, cores)))
        }
    }

    /// `load generator: netload used at most 0.41 cores; …`: how much CPU the load took, and
    /// where it was the limit (at 90 % of what it can use, or more).
    static func loadLine(_ report: BenchReport) -> String {
        var most = 0.0
        var limited: [String] = []
        for (s, scenario) in report.scenarios.enumerated() where scenario.isTimed {
            for (c, outcome) in report.outcomes[s].enumerated() {
                guard let cores = Summary(outcome.samples).loadCores else { continue }
                most = max(most, cores)
                if cores >= 0.9 * loadCeiling(scenario.load, cores: report.cores) {
                    limited.append("\(scenario.label) (\(report.contenders[c].name))")
                }
            }
        }
        guard report.scenarios.contains(where: \.isTimed) else { return "load generator: netload (idle connections only)" }
        var line = "load generator: netload used at most \(Figures.cores(most)) cores of \(report.cores)"
        if limited.isEmpty {
            line += "; it was never the limit"
        } else {
            line += "; it was the limit (the figures are netload's, not the program's) in: " + limited.joined(separator: ", ")
        }
        return line
    }
}
