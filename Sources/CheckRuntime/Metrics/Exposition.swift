import CheckResults

/// A scrape's body read as the Prometheus text exposition format (version 0.0.4), the way
/// Prometheus's own parser (Go's `expfmt.TextParser`) reads it, and stricter where a well-made
/// exporter never differs (ExpositionRules.swift): every family has `# HELP` and `# TYPE`,
/// counters end in `_total`, histograms are whole.
///
/// Bounded and regex-free: one pass over at most ``maximumSize`` bytes, a line at a time.
/// Every problem names its line, with the line shown escaped (a learner's output is untrusted).
package struct Exposition: Sendable {
    /// The most a scrape may hold.
    package static let maximumSize = 1 << 20

    /// `name{label="value",…} value`.
    package struct Sample: Sendable, Equatable {
        package var name: String
        /// In the order written.
        package var labels: [Label]
        package var value: Double
        /// 1-based.
        package var line: Int

        package func label(_ name: String) -> String? { labels.first { $0.name == name }?.value }

        /// `name{a="x",b="y"}`, label values escaped as the format escapes them.
        package var series: String { Exposition.seriesText(name, labels) }
    }

    package struct Label: Sendable, Equatable, Hashable {
        package var name: String
        package var value: String
        package init(name: String, value: String) {
            self.name = name
            self.value = value
        }
    }

    /// A metric family: what its `# HELP` and `# TYPE` lines say.
    package struct Family: Sendable {
        package var name: String
        package var type: String?
        package var help: String?
        package var typeLine: Int?
        package var helpLine: Int?
        /// The line of its first sample.
        package var firstSample: Int?
    }

    package struct Problem: Sendable, Equatable, CustomStringConvertible {
        package var line: Int?
        package var message: String
        package var description: String { line.map { "line \($0) of the scrape: \(message)" } ?? message }
    }

    package var samples: [Sample] = []
    package var families: [String: Family] = [:]
    /// The first ``maximumProblems`` problems, in the order found.
    package var problems: [Problem] = []
    /// How many problems there were in all (a scrape of a million bad lines keeps 100).
    package var problemCount = 0
    package static let maximumProblems = 100
    /// Each line's text, for messages.
    var lines: [String] = []

    /// Reads `body`; every problem found is in ``problems``.
    package static func parse(_ body: [UInt8]) -> Exposition {
        var e = Exposition()
        guard body.count <= maximumSize else {
            e.problems.append(Problem(line: nil, message: "the scrape is \(body.count) bytes, over the \(maximumSize >> 20) MiB netlab reads"))
            e.problemCount = 1
            return e
        }
        if !body.isEmpty, body.last != UInt8(ascii: "\n") {
            e.problems.append(Problem(line: nil, message: "the last line does not end with \\n (every line of the format does)"))
            e.problemCount += 1
        }
        var reader = LineReader()
        var pieces = body.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false)
        if body.last == UInt8(ascii: "\n") { pieces.removeLast() }  // the empty piece after the final \n
        var number = 0
        for raw in pieces {
            number += 1
            guard let text = String(validating: raw, as: UTF8.self) else {
                e.lines.append(String(decoding: raw, as: UTF8.self))
                e.problem(number, "is not valid UTF-8")
                continue
            }
            e.lines.append(text)
            reader.read(text, line: number, into: &e)
        }
        e.checkRules()
        return e
    }

    mutating func problem(_ line: Int, _ message: String) {
        problemCount += 1
        guard problems.count < Self.maximumProblems else { return }
        let shown = line - 1 < lines.count ? Bytes.quoted(Array(lines[line - 1].utf8), limit: 120) : "?"
        problems.append(Problem(line: line, message: "\(shown) \(message)"))
    }

    /// `name{a="x"}` with label values escaped (`\\`, `\"`, `\n`).
    package static func seriesText(_ name: String, _ labels: [Label]) -> String {
        guard !labels.isEmpty else { return name }
        return name + "{" + labels.map { "\($0.name)=\"\(escapeLabelValue($0.value))\"" }.joined(separator: ",") + "}"
    }

    package static func escapeLabelValue(_ value: String) -> String {
        var out = ""
        for c in value.unicodeScalars {
            switch c {
            case "\\": out += "\\\\"
            case "\"": out += "\\\""
            case "\n": out += "\\n"
            default: out.unicodeScalars.append(c)
            }
        }
        return out
    }

    /// `[a-zA-Z_:][a-zA-Z0-9_:]*`
    package static func isMetricName(_ s: Substring) -> Bool {
        guard let f = s.unicodeScalars.first, isNameStart(f) || f == ":" else { return false }
        return s.unicodeScalars.allSatisfy { isNameStart($0) || $0 == ":" || ($0 >= "0" && $0 <= "9") }
    }

    /// `[a-zA-Z_][a-zA-Z0-9_]*`
    package static func isLabelName(_ s: Substring) -> Bool {
        guard let f = s.unicodeScalars.first, isNameStart(f) else { return false }
        return s.unicodeScalars.allSatisfy { isNameStart($0) || ($0 >= "0" && $0 <= "9") }
    }

    static func isNameStart(_ c: Unicode.Scalar) -> Bool { (c >= "a" && c <= "z") || (c >= "A" && c <= "Z") || c == "_" }

    /// A sample value as Go's `strconv.ParseFloat` reads it: decimal or exponent forms, `+Inf`,
    /// `-Inf`, `NaN`.
    package static func value(_ text: Substring) -> Double? {
        switch text {
        case "+Inf", "Inf", "+inf", "inf": return .infinity
        case "-Inf", "-inf": return -.infinity
        case "NaN", "nan": return .nan
        default: break
        }
        // Digits, a sign, a point, an exponent: nothing else (Swift would take hex and "infinity").
        guard !text.isEmpty, text.unicodeScalars.allSatisfy({ "0123456789+-.eE".unicodeScalars.contains($0) }) else { return nil }
        return Double(text)
    }
}

/// Reads one line at a time: comments, `# HELP`, `# TYPE` and samples, and what the order of
/// lines must be (a family's `# TYPE` before its samples, a family's lines together).
struct LineReader {
    /// The family whose HELP, TYPE or samples came last.
    var current: String?
    /// Families whose lines ended (another family's began): lines of theirs after that are out of place.
    var closed: Set<String> = []
    var seenSeries: [String: Int] = [:]

    mutating func read(_ text: String, line: Int, into e: inout Exposition) {
        if text.isEmpty { return }  // Go's parser skips blank lines
        if text.hasPrefix("#") {
            comment(text, line: line, into: &e)
            return
        }
        guard let sample = parseSample(text, line: line, into: &e) else { return }
        let family = familyName(of: sample.name, in: e)
        guard let family, e.families[family]?.type != nil else {
            e.problem(line, "has no `# TYPE \(family ?? sample.name) …` line before it (every family needs one, before its samples)")
            return
        }
        enter(family, line: line, into: &e)
        if e.families[family]?.firstSample == nil { e.families[family]?.firstSample = line }
        let key = Exposition.seriesText(sample.name, sample.labels.sorted { $0.name < $1.name })
        if let earlier = seenSeries[key] {
            e.problem(line, "is the same series as line \(earlier) (a name and label set may appear once)")
            return
        }
        seenSeries[key] = line
        e.samples.append(sample)
    }

    /// Moves to `family`'s lines; a family that comes back after another's is out of place.
    mutating func enter(_ family: String, line: Int, into e: inout Exposition) {
        guard current != family else { return }
        if closed.contains(family) {
            e.problem(line, "belongs to `\(family)`, whose lines ended before: a family's HELP, TYPE and samples must be together")
        }
        if let current { closed.insert(current) }
        current = family
    }

    /// The family a sample belongs to: its own name when typed, else `x` for `x_bucket`, `x_sum`,
    /// `x_count` of a histogram or summary `x`. Nil when none is typed.
    func familyName(of name: String, in e: Exposition) -> String? {
        if e.families[name]?.type != nil { return name }
        for suffix in ["_bucket", "_sum", "_count"] where name.hasSuffix(suffix) {
            let base = String(name.dropLast(suffix.count))
            if let t = e.families[base]?.type, t == "histogram" || (t == "summary" && suffix != "_bucket") { return base }
        }
        return nil
    }

    /// `# HELP name text`, `# TYPE name type`, or any other comment (ignored).
    mutating func comment(_ text: String, line: Int, into e: inout Exposition) {
        let words = text.dropFirst().drop { $0 == " " || $0 == "\t" }
        let keyword = words.prefix { $0 != " " && $0 != "\t" }
        guard keyword == "HELP" || keyword == "TYPE" else { return }
        let rest = words.dropFirst(4).drop { $0 == " " || $0 == "\t" }
        let name = rest.prefix { $0 != " " && $0 != "\t" }
        guard Exposition.isMetricName(name) else {
            e.problem(line, "names no valid metric after `# \(keyword)` (names are [a-zA-Z_:][a-zA-Z0-9_:]*)")
            return
        }
        let value = rest.dropFirst(name.count).drop { $0 == " " || $0 == "\t" }
        let family = String(name)
        var f = e.families[family] ?? Exposition.Family(name: family)
        if keyword == "HELP" {
            if let earlier = f.helpLine { e.problem(line, "is a second HELP for `\(family)` (the first at line \(earlier))"); return }
            guard let help = Self.unescapeHelp(value) else {
                e.problem(line, "has a backslash that is no escape in HELP text (only \\\\ and \\n are)")
                return
            }
            f.help = help
            f.helpLine = line
        } else {
            if let earlier = f.typeLine { e.problem(line, "is a second TYPE for `\(family)` (the first at line \(earlier))"); return }
            let type = value.trimmingTrailingBlanks()
            guard ["counter", "gauge", "histogram", "summary", "untyped"].contains(type) else {
                e.problem(line, "gives `\(family)` the type `\(type)`; expected counter, gauge, histogram, summary or untyped")
                return
            }
            if let first = f.firstSample {
                e.problem(line, "comes after the samples of `\(family)` (line \(first)); TYPE must come first")
            }
            f.type = String(type)
            f.typeLine = line
        }
        e.families[family] = f
        enter(family, line: line, into: &e)
    }

    /// HELP text with `\\` and `\n` unescaped; nil for any other backslash.
    static func unescapeHelp(_ s: Substring) -> String? {
        var out = ""
        var escaped = false
        for c in s.unicodeScalars {
            if escaped {
                switch c {
                case "\\": out += "\\"
                case "n": out += "\n"
                default: return nil
                }
                escaped = false
            } else if c == "\\" {
                escaped = true
            } else {
                out.unicodeScalars.append(c)
            }
        }
        return escaped ? nil : out
    }

    /// `name[{labels}] value [timestamp]`.
    func parseSample(_ text: String, line: Int, into e: inout Exposition) -> Exposition.Sample? {
        let s = Array(text.unicodeScalars)
        var i = 0
        while i < s.count, s[i] == " " || s[i] == "\t" { i += 1 }
        let nameStart = i
        while i < s.count, Exposition.isNameStart(s[i]) || s[i] == ":" || (s[i] >= "0" && s[i] <= "9") { i += 1 }
        let name = String(String.UnicodeScalarView(s[nameStart..<i]))
        guard Exposition.isMetricName(Substring(name)) else {
            e.problem(line, "does not start with a metric name ([a-zA-Z_:][a-zA-Z0-9_:]*)")
            return nil
        }
        var labels: [Exposition.Label] = []
        if i < s.count, s[i] == "{" {
            i += 1
            while true {
                while i < s.count, s[i] == " " || s[i] == "\t" { i += 1 }
                if i < s.count, s[i] == "}" { i += 1; break }
                let labelStart = i
                while i < s.count, Exposition.isNameStart(s[i]) || (s[i] >= "0" && s[i] <= "9") { i += 1 }
                let label = String(String.UnicodeScalarView(s[labelStart..<i]))
                guard Exposition.isLabelName(Substring(label)) else {
                    e.problem(line, "has no valid label name at column \(labelStart + 1) ([a-zA-Z_][a-zA-Z0-9_]*)")
                    return nil
                }
                if label.hasPrefix("__") {
                    e.problem(line, "uses the label name `\(label)`; names that start with __ are Prometheus's own")
                    return nil
                }
                while i < s.count, s[i] == " " || s[i] == "\t" { i += 1 }
                guard i + 1 < s.count, s[i] == "=", s[i + 1] == "\"" else {
                    e.problem(line, "has no =\"…\" after the label `\(label)` (column \(i + 1))")
                    return nil
                }
                i += 2
                var value = ""
                var closed = false
                while i < s.count {
                    let c = s[i]
                    i += 1
                    if c == "\"" { closed = true; break }
                    if c == "\\" {
                        guard i < s.count else { break }
                        switch s[i] {
                        case "\\": value += "\\"
                        case "\"": value += "\""
                        case "n": value += "\n"
                        default:
                            e.problem(
                                line,
                                "has `\\\(UntrustedChar(s[i]))` in the value of `\(label)` (column \(i)); the only escapes in a label value are \\\\, \\\" and \\n"
                            )
                            return nil
                        }
                        i += 1
                        continue
                    }
                    value.unicodeScalars.append(c)
                }
                guard closed else {
                    e.problem(line, "does not close the value of `\(label)` with a `\"` (a `\"` inside a value must be written \\\")")
                    return nil
                }
                if labels.contains(where: { $0.name == label }) {
                    e.problem(line, "has the label `\(label)` twice")
                    return nil
                }
                labels.append(Exposition.Label(name: label, value: value))
                while i < s.count, s[i] == " " || s[i] == "\t" { i += 1 }
                if i < s.count, s[i] == "," { i += 1; continue }
                if i < s.count, s[i] == "}" { i += 1; break }
                e.problem(line, "has no `,` or `}` after the value of `\(label)` (column \(i + 1)); is a `\"` in the value not escaped?")
                return nil
            }
        }
        let rest = String(String.UnicodeScalarView(s[i...]))
        guard let first = rest.unicodeScalars.first, first == " " || first == "\t" else {
            e.problem(line, "has no blank between the series and its value")
            return nil
        }
        let fields = rest.split(whereSeparator: { $0 == " " || $0 == "\t" })
        guard fields.count == 1 || fields.count == 2 else {
            e.problem(line, "has \(fields.count) fields after the series; expected a value and at most a timestamp")
            return nil
        }
        guard let value = Exposition.value(fields[0]) else {
            e.problem(
                line,
                "has `\(Bytes.quoted(Array(fields[0].utf8), limit: 40).dropFirst().dropLast())` as its value; expected a number, +Inf, -Inf or NaN")
            return nil
        }
        if fields.count == 2, Int64(fields[1]) == nil {
            e.problem(line, "has a timestamp that is not a whole number of milliseconds")
            return nil
        }
        return Exposition.Sample(name: name, labels: labels, value: value, line: line)
    }
}

/// A character shown escaped when it is a control byte.
struct UntrustedChar: CustomStringConvertible {
    var scalar: Unicode.Scalar
    init(_ scalar: Unicode.Scalar) { self.scalar = scalar }
    var description: String { UntrustedText.escape(scalar) ?? String(scalar) }
}

extension Substring {
    func trimmingTrailingBlanks() -> Substring {
        var s = self
        while let l = s.last, l == " " || l == "\t" { s = s.dropLast() }
        return s
    }
}
