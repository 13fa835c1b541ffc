/// How `netlab check` shows results in the terminal: a passing check is one line (`✓ name`), a
/// failing check its message, transcript and hint; `verbose` shows transcripts of passing checks
/// too. Every text that can hold what the program wrote goes through ``UntrustedText`` first,
/// so no control character reaches the terminal raw.
public struct CheckPrinter: Sendable {
    public var style: Style
    public var verbose: Bool
    /// Failing checks without their transcripts (message and hint only): for `netlab check`
    /// over several lessons, where seven lessons' transcripts would bury the score table.
    public var brief: Bool

    public init(style: Style, verbose: Bool, brief: Bool = false) {
        self.style = style
        self.verbose = verbose
        self.brief = brief
    }

    /// `Lesson 4 · Proxy` and the file being graded.
    public func header(lesson: Lesson, program: String) -> String {
        style.bold("Lesson \(lesson.number) · \(lesson.title)") + style.dim("  (\(program))")
    }

    public func render(_ check: CheckResult) -> String {
        let check = check.escapingUntrustedText()
        let points = check.maxPoints == 1 ? "" : style.dim("  [\(check.points)/\(check.maxPoints)]")
        switch check.status {
        case .pass:
            var out = "\(style.passMark) \(check.name)\(points)"
            let transcript = check.transcript.trimmingBlankLines()
            if verbose, !transcript.isEmpty { out += "\n" + indent(transcript) }
            return out
        case .fail, .error:
            let mark = check.status == .fail ? style.failMark : style.errorMark
            var out = "\(mark) \(style.bold(check.name))\(points)"
            if let message = check.message { out += "\n  " + style.red(message) }
            let transcript = brief ? "" : check.transcript.trimmingBlankLines()
            if !transcript.isEmpty { out += "\n" + indent(transcript) }
            // The runner's transcript may end with the hint already.
            if let hint = check.hint, !transcript.contains("hint: \(hint)") { out += "\n  " + style.yellow("hint: ") + hint }
            return out
        }
    }

    /// `3/5 checks passed · 4/7 points`, or the reason nothing was graded.
    /// With `detailsShown` (a build failure whose errors were printed already), only the first
    /// line of the lesson's error is repeated.
    public func summary(_ result: LessonResult, detailsShown: Bool = false) -> String {
        if let raw = result.error {
            let error = UntrustedText.escaped(raw, multiline: true)
            guard detailsShown else { return style.red("✗ not graded: ") + error }
            let first = error.split(separator: "\n", omittingEmptySubsequences: false).first.map(String.init) ?? error
            return style.red("✗ not graded: ") + (first.hasSuffix(":") ? String(first.dropLast()) : first)
        }
        let passed = result.checks.filter { $0.status == .pass }.count
        let line = "\(passed)/\(result.checks.count) checks passed · \(result.points)/\(result.maxPoints) points"
        return result.passed ? style.green("✓ " + line) : style.red("✗ " + line)
    }

    /// The score table after `netlab check` with no lesson number.
    public func scoreTable(_ results: [LessonResult]) -> String {
        let rows = results.map { r -> [String] in
            let status = r.error != nil ? style.red("error") : r.passed ? style.green("passed") : style.yellow("failing")
            let passed = r.checks.filter { $0.status == .pass }.count
            return [String(format: "%02d", r.number), UntrustedText.escaped(r.title), status, "\(passed)/\(r.checks.count)", "\(r.points)/\(r.maxPoints)"]
        }
        let points = results.map(\.points).saturatingSum(), max = results.map(\.maxPoints).saturatingSum()
        let done = results.filter(\.passed).count
        return renderTable(header: ["#", "lesson", "status", "checks", "points"], rows: rows, rightAligned: [3, 4], style: style)
            + "\n" + style.bold("\(done)/\(results.count) lessons passed · \(points)/\(max) points")
    }

    func indent(_ text: String) -> String {
        text.split(separator: "\n", omittingEmptySubsequences: false).map { "    " + $0 }.joined(separator: "\n")
    }
}
