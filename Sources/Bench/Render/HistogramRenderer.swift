import Workbook

/// A latency histogram in the terminal, as oha draws one: one line per log2 bucket that holds
/// anything, its lower bound, a bar scaled to the fullest bucket, and the count.
package enum HistogramRenderer {
    /// The widest bar, in characters.
    package static let barWidth = 40

    package static func render(_ histogram: LatencyHistogram, style: Style = .plain) -> String {
        guard let range = histogram.occupied else { return "  (no latencies)" }
        let fullest = histogram.counts[range].max() ?? 1
        let total = Double(histogram.total)
        var lines: [String] = []
        for i in range {
            let count = histogram.counts[i]
            let low = Figures.latency(LatencyHistogram.lowerBound(i))
            let high = Figures.latency(LatencyHistogram.lowerBound(i + 1))
            let label = "\(low)–\(high)"
            // Rounded up, so a bucket that holds anything shows at least one mark.
            let length = count == 0 ? 0 : Int((Double(count) * Double(barWidth) / Double(max(fullest, 1))).rounded(.up))
            let share = total > 0 ? Double(count) / total * 100 : 0
            let bar = String(repeating: "■", count: min(length, barWidth))
            let percent = share >= 0.1 || count == 0 ? String(format: "%5.1f%%", share) : " <0.1%"
            lines.append("  " + pad(label, 15) + " " + percent + " │" + style.cyan(bar) + " \(count)")
        }
        return lines.joined(separator: "\n")
    }

    /// The histograms of a report's last timed scenario that measured latency: the most
    /// connections, where the programs differ most. Empty when none measured latency.
    package static func section(_ report: BenchReport, style: Style = .plain) -> String {
        guard
            let s = report.scenarios.indices.last(where: { s in
                report.scenarios[s].isTimed && report.outcomes[s].contains { !LatencyHistogram.merged($0.samples.map(\.histogram)).counts.isEmpty }
            })
        else { return "" }
        var out = [style.bold("Latency histogram, \(report.scenarios[s].label) (all rounds)")]
        for (c, contender) in report.contenders.enumerated() {
            let histogram = LatencyHistogram.merged(report.outcomes[s][c].samples.map(\.histogram))
            guard histogram.occupied != nil else { continue }
            out.append("  \(contender.name)")
            out.append(render(histogram, style: style))
        }
        return out.joined(separator: "\n")
    }

    static func pad(_ s: String, _ width: Int) -> String {
        s.count >= width ? s : s + String(repeating: " ", count: width - s.count)
    }
}
