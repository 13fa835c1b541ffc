/// The rules a family's samples keep, by its type, beyond what each line must look like
/// (Exposition.swift): what Prometheus's parser refuses, and what its linter (`promtool check
/// metrics`) and OpenMetrics ask of a well-made exporter.
extension Exposition {
    mutating func checkRules() {
        var byFamily: [String: [Sample]] = [:]
        var order: [String] = []
        for sample in samples {
            let family = typedFamily(of: sample.name) ?? sample.name
            if byFamily[family] == nil { order.append(family) }
            byFamily[family, default: []].append(sample)
        }
        for family in order {
            guard let f = families[family], let type = f.type, let members = byFamily[family] else { continue }
            if f.help == nil {
                problem(members[0].line, "belongs to `\(family)`, which has no `# HELP \(family) …` line (every family needs one)")
            }
            switch type {
            case "counter": counterRules(family, members)
            case "histogram": histogramRules(family, members)
            case "summary": summaryRules(family, members)
            default:
                for s in members where s.name != family {
                    problem(s.line, "is not named `\(family)`, the \(type) it belongs to")
                }
            }
        }
    }

    func typedFamily(of name: String) -> String? {
        if families[name]?.type != nil { return name }
        for suffix in ["_bucket", "_sum", "_count"] where name.hasSuffix(suffix) {
            let base = String(name.dropLast(suffix.count))
            if let t = families[base]?.type, t == "histogram" || (t == "summary" && suffix != "_bucket") { return base }
        }
        return nil
    }

    mutating func counterRules(_ family: String, _ members: [Sample]) {
        if !family.hasSuffix("_total"), let first = members.first {
            problem(first.line, "is a counter whose name does not end in `_total` (a counter's name says it counts: `\(family)_total`)")
        }
        for s in members {
            if s.name != family { problem(s.line, "is not named `\(family)`, the counter it belongs to") }
            if s.value.isNaN || s.value < 0 { problem(s.line, "is a counter below zero or NaN; a counter only goes up from 0") }
        }
    }

    /// Each label set (without `le`) has buckets whose counts never go down as `le` grows, a
    /// `+Inf` bucket, `_sum` and `_count`, and `_count` equals the `+Inf` bucket.
    mutating func histogramRules(_ family: String, _ members: [Sample]) {
        struct Group {
            var buckets: [(le: Double, sample: Sample)] = []
            var sum: Sample?
            var count: Sample?
            var firstLine: Int
        }
        var groups: [[Label]: Group] = [:]
        var order: [[Label]] = []
        for s in members {
            let key = s.labels.filter { $0.name != "le" }.sorted { $0.name < $1.name }
            if groups[key] == nil {
                groups[key] = Group(firstLine: s.line)
                order.append(key)
            }
            switch s.name {
            case family + "_bucket":
                guard let le = s.label("le") else {
                    problem(s.line, "is a bucket of `\(family)` with no `le` label")
                    continue
                }
                guard let bound = Exposition.value(Substring(le)), !bound.isNaN else {
                    problem(s.line, "has le=\"\(Exposition.escapeLabelValue(le))\", which is not a number (the last bucket is le=\"+Inf\")")
                    continue
                }
                if s.value.isNaN || s.value < 0 || s.value != s.value.rounded() {
                    problem(s.line, "is a bucket count that is not a whole number of observations")
                }
                groups[key]?.buckets.append((bound, s))
            case family + "_sum":
                if s.label("le") != nil { problem(s.line, "has an `le` label, which only buckets have") }
                groups[key]?.sum = s
            case family + "_count":
                if s.label("le") != nil { problem(s.line, "has an `le` label, which only buckets have") }
                if s.value.isNaN || s.value < 0 || s.value != s.value.rounded() {
                    problem(s.line, "is a count that is not a whole number of observations")
                }
                groups[key]?.count = s
            default:
                problem(s.line, "is not a sample of the histogram `\(family)` (its samples are `\(family)_bucket`, `_sum` and `_count`)")
            }
        }
        for key in order {
            guard let g = groups[key] else { continue }
            let series = Exposition.seriesText(family, key)
            let sorted = g.buckets.sorted { $0.le < $1.le }
            var previous: (le: Double, sample: Sample)?
            for b in sorted {
                if let p = previous, b.sample.value < p.sample.value {
                    problem(
                        b.sample.line,
                        "counts \(Exposition.text(b.sample.value)) at le=\"\(b.sample.label("le") ?? "")\", fewer than the \(Exposition.text(p.sample.value)) at le=\"\(p.sample.label("le") ?? "")\" (line \(p.sample.line)): buckets are cumulative, each counts every observation up to its bound"
                    )
                }
                previous = b
            }
            guard let inf = sorted.last(where: { $0.le == .infinity }) else {
                problem(g.firstLine, "belongs to \(series), which has no le=\"+Inf\" bucket (the last bucket, equal to `_count`)")
                continue
            }
            guard let count = g.count else {
                problem(g.firstLine, "belongs to \(series), which has no `\(family)_count`")
                continue
            }
            if g.sum == nil { problem(g.firstLine, "belongs to \(series), which has no `\(family)_sum`") }
            if count.value != inf.sample.value {
                problem(
                    count.line,
                    "says \(Exposition.text(count.value)) observations, but the le=\"+Inf\" bucket (line \(inf.sample.line)) counts \(Exposition.text(inf.sample.value)); they must be equal"
                )
            }
        }
    }

    mutating func summaryRules(_ family: String, _ members: [Sample]) {
        for s in members {
            switch s.name {
            case family:
                guard let q = s.label("quantile"), let v = Exposition.value(Substring(q)), v >= 0, v <= 1 else {
                    problem(s.line, "is a sample of the summary `\(family)` without a `quantile` label from 0 to 1")
                    continue
                }
            case family + "_sum", family + "_count":
                if s.label("quantile") != nil { problem(s.line, "has a `quantile` label, which only quantiles have") }
            default:
                problem(s.line, "is not a sample of the summary `\(family)`")
            }
        }
    }

    /// A value as a person reads it: `5`, `0.25`, `+Inf`.
    package static func text(_ v: Double) -> String {
        if v.isNaN { return "NaN" }
        if v == .infinity { return "+Inf" }
        if v == -.infinity { return "-Inf" }
        if v == v.rounded(), abs(v) < 1e15 { return String(Int64(v)) }
        return "\(v)"
    }
}
