/// How `netlab check` shows results in the terminal. Every check gets its one line (`✓ name`,
/// `✗ name  [0/2]`); the check in focus (the first that failed, see ``VerdictStream``) is shown
/// in full: its message, its transcript with the lines of loops folded (``TranscriptFolding``),
/// and the hint that fits how it failed (``FailureCause``). `verbose` shows every check in
/// full, transcripts unfolded, passing checks too. Every text that can hold what the program
/// wrote goes through ``UntrustedText`` first, so no control character reaches the terminal raw.
import CheckResults
public struct CheckPrinter: Sendable {
    public var style: Style
    public var verbose: Bool
    /// Failing checks without their transcripts (message and hint only): for `netlab check`
    /// over several lessons, where seven lessons' transcripts would bury the score table.
    public var brief: Bool
    /// How to start the lesson's program by hand (`netlab run 2`), for the hints about a
    /// program that would not start.
    public var runCommand: String

    public init(style: Style, verbose: Bool, brief: Bool = false, runCommand: String = "netlab run N") {
        self.style = style
        self.verbose = verbose
        self.brief = brief
        self.runCommand = runCommand
    }

    /// `Lesson 4 · Proxy` and the file being graded.
    public func header(lesson: Lesson, program: String) -> String {
        style.bold("Lesson \(lesson.number) · \(lesson.title)") + style.dim("  (\(program))")
    }

    /// The check's one line: `✓ name`, `✗ name  [0/2]`, `! name` (could not be run).
    public func line(_ check: CheckResult) -> String {
        let check = check.escapingUntrustedText()
        let points = check.maxPoints == 1 ? "" : style.dim("  [\(check.points)/\(check.maxPoints)]")
        switch check.status {
        case .pass: return "\(style.passMark) \(check.name)\(points)"
        case .fail: return "\(style.failMark) \(style.bold(check.name))\(points)"
        case .error: return "\(style.errorMark) \(style.bold(check.name))\(points)"
        }
    }

    /// The check in full. A pass is its line (and, verbose, its transcript). A failure is its
    /// line, its message, its transcript (folded unless verbose; none when brief) and the hint
    /// that fits it.
    public func render(_ check: CheckResult) -> String {
        let fitting = check.fittingHint(runCommand: runCommand).map { UntrustedText.escaped($0, multiline: true) }
        let check = check.escapingUntrustedText()
        var out = line(check)
        let transcript = check.transcript.trimmingBlankLines()
        out += figureLines(check)
        if check.status == .pass {
            if verbose, !transcript.isEmpty { out += "\n" + indent(transcript) }
            return out
        }
        if let message = check.message { out += "\n  " + style.red(message) }
        // The runner ends a failing transcript with the check's own hint; the one shown is the
        // hint that fits the failure, once, at the end.
        var shown = brief ? "" : withoutHint(transcript, check.hint)
        if !verbose, !shown.isEmpty {
            shown = TranscriptFolding.folded(shown, keepingSources: TranscriptFolding.sourcesNamed(in: check.message))
        }
        if !shown.isEmpty { out += "\n" + indent(shown) }
        if let fitting, !shown.contains("hint: \(fitting)") { out += "\n  " + style.yellow("hint: ") + fitting }
        return out
    }

    /// The figures the check measured (``CheckResult/figures``), one indented line each, to go
    /// under its line, pass or fail; none that its failure message already gives.
    public func figureLines(_ check: CheckResult) -> String {
        check.figures.filter { !(check.message?.contains($0) ?? false) }.map { "\n  " + style.dim($0) }.joined()
    }

    /// `transcript` without the `hint: …` lines the runner ended it with.
    func withoutHint(_ transcript: String, _ hint: String?) -> String {
        guard let hint else { return transcript }
        let line = "hint: \(hint)"
        if transcript == line { return "" }
        if transcript.hasSuffix("\n" + line) { return String(transcript.dropLast(line.count + 1)) }
        return transcript
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
            return [
                String(format: "%02d", r.number), UntrustedText.escaped(r.title), status, "\(passed)/\(r.checks.count)", "\(r.points)/\(r.maxPoints)",
            ]
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
