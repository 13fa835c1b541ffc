/// `scrape NAME "PATH" [from ADDR] [within T]`: an HTTP GET of PATH, by default from the address
/// of `{metrics}` (a port netlab reserved for the program's second listener), whose body is
/// kept under NAME as a Prometheus text exposition for the `expect NAME …` steps that follow.
public struct Scrape: Sendable, Equatable {
    public var name: String
    /// `/metrics`
    public var path: String
    /// `from ADDR`; nil: `{metrics}`.
    public var from: Template?
    public var within: Duration?
    public var location: SourceLocation

    public init(name: String, path: String, from: Template? = nil, within: Duration? = nil, location: SourceLocation) {
        self.name = name
        self.path = path
        self.from = from
        self.within = within
        self.location = location
    }
}

/// `expect NAME …` where NAME is a scrape: what its exposition holds.
public struct ScrapeExpectation: Sendable, Equatable {
    public enum Condition: Sendable, Equatable {
        /// `valid`: the exposition keeps every rule of the format (docs/checks.md).
        case valid
        /// `metric SERIES OP NUMBER [within T]`: the sample of that series compares as given;
        /// with `within`, netlab scrapes again (the same way) until it does or T has passed.
        case value(MetricSeries, Comparison.Operator, Double, within: Duration?)
        /// `no metric SERIES`: no sample of that series.
        case absent(MetricSeries)
        /// `type FAMILY KIND`: the family's `# TYPE` line says KIND.
        case type(String, String)
    }

    public var scrape: String
    public var condition: Condition
    public var location: SourceLocation

    public init(scrape: String, condition: Condition, location: SourceLocation) {
        self.scrape = scrape
        self.condition = condition
        self.location = location
    }
}

/// `chat_errors_total{kind="protocol"}`: a metric name and every label of one series, label
/// values unescaped (`\\`, `\"` and `\n` as the exposition format writes them).
public struct MetricSeries: Sendable, Equatable, CustomStringConvertible {
    public var name: String
    public var labels: [(name: String, value: String)]

    public init(name: String, labels: [(name: String, value: String)] = []) {
        self.name = name
        self.labels = labels
    }

    public static func == (a: Self, b: Self) -> Bool {
        a.name == b.name && a.labels.map(\.name) == b.labels.map(\.name) && a.labels.map(\.value) == b.labels.map(\.value)
    }

    /// As written in a check, label values escaped.
    public var description: String {
        guard !labels.isEmpty else { return name }
        return name + "{" + labels.map { "\($0.name)=\"\(Self.escape($0.value))\"" }.joined(separator: ",") + "}"
    }

    static func escape(_ value: String) -> String {
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

    /// Reads `name{a="x",b="y"}`; nil with the reason and the character offset where it fails.
    public static func parse(_ text: String) -> Result<MetricSeries, SeriesError> {
        let s = Array(text.unicodeScalars)
        var i = 0
        func isStart(_ c: Unicode.Scalar) -> Bool { (c >= "a" && c <= "z") || (c >= "A" && c <= "Z") || c == "_" }
        func isDigit(_ c: Unicode.Scalar) -> Bool { c >= "0" && c <= "9" }
        while i < s.count, isStart(s[i]) || s[i] == ":" || (i > 0 && isDigit(s[i])) { i += 1 }
        guard i > 0 else { return .failure(SeriesError(offset: 0, message: "a metric name ([a-zA-Z_:][a-zA-Z0-9_:]*)")) }
        var series = MetricSeries(name: String(String.UnicodeScalarView(s[0..<i])))
        if i == s.count { return .success(series) }
        guard s[i] == "{" else { return .failure(SeriesError(offset: i, message: "`{` or the end of the series after its name")) }
        i += 1
        while true {
            if i < s.count, s[i] == "}" { i += 1; break }
            let start = i
            while i < s.count, isStart(s[i]) || (i > start && isDigit(s[i])) { i += 1 }
            guard i > start else { return .failure(SeriesError(offset: i, message: "a label name or `}`")) }
            let label = String(String.UnicodeScalarView(s[start..<i]))
            guard i + 1 < s.count, s[i] == "=", s[i + 1] == "\"" else {
                return .failure(SeriesError(offset: i, message: "`=\"` after the label name `\(label)`"))
            }
            i += 2
            var value = ""
            var closed = false
            while i < s.count {
                let c = s[i]
                i += 1
                if c == "\"" { closed = true; break }
                if c == "\\", i < s.count {
                    switch s[i] {
                    case "\\": value += "\\"
                    case "\"": value += "\""
                    case "n": value += "\n"
                    default: return .failure(SeriesError(offset: i - 1, message: "\\\\, \\\" or \\n (the only escapes in a label value)"))
                    }
                    i += 1
                    continue
                }
                value.unicodeScalars.append(c)
            }
            guard closed else { return .failure(SeriesError(offset: i, message: "a `\"` that closes the value of `\(label)`")) }
            if series.labels.contains(where: { $0.name == label }) {
                return .failure(SeriesError(offset: start, message: "each label once; `\(label)` is there twice"))
            }
            series.labels.append((label, value))
            if i < s.count, s[i] == "," { i += 1; continue }
            if i < s.count, s[i] == "}" { i += 1; break }
            return .failure(SeriesError(offset: i, message: "`,` or `}` after the value of `\(label)`"))
        }
        guard i == s.count else { return .failure(SeriesError(offset: i, message: "the end of the series after `}`")) }
        return .success(series)
    }

    public struct SeriesError: Error, Sendable {
        /// In characters from the start of the series.
        public var offset: Int
        /// What was expected there.
        public var message: String
    }
}
