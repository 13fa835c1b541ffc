import CheckResults

/// `netlab report`'s terminal table, and where the class is stuck.
extension ClassReport {
    /// `✓ 3/3`, `✗ 1/3 ×4` (the fourth attempt), `! error`, `–`.
    func mark(_ cell: Cell?, style: Style) -> String {
        guard let cell else { return style.dim("–") }
        let score = "\(cell.points)/\(cell.maxPoints)"
        let tries = cell.attempts > 1 ? " ×\(cell.attempts)" : ""
        switch cell.status {
        case "pass": return style.green("✓ \(score)") + tries
        case "error": return style.red("! error") + tries
        default: return style.yellow("✗ \(score)") + tries
        }
    }

    /// `2026-12-07 14:05` from `2026-12-07T14:05:09Z` (UTC, as written); anything else escaped.
    static func shortTime(_ iso: String?) -> String {
        guard let iso else { return "–" }
        let t = Array(iso)
        if t.count >= 16, t[10] == "T" { return String(t[0..<10]) + " " + String(t[11..<16]) }
        return UntrustedText.escaped(String(iso.prefix(25)))
    }

    /// Whether any row's results say when they were written (then the table has a `latest` column).
    var showsTimes: Bool { rows.contains { $0.latest != nil } }

    /// The terminal table: a row per student, a column per lesson (the latest attempt, and how
    /// many there were), the total, when the student last checked (and with signatures, whether
    /// their files verified), and a last row counting how many passed each lesson; then where
    /// the class is stuck, what the table can be trusted for, bad signatures and skipped files.
    public func renderText(style: Style = .plain) -> String {
        let signatures = showsSignatures
        let times = showsTimes
        let header =
            ["student"] + lessons.map { String(format: "%02d", $0.number) } + ["points"] + (times ? ["latest (UTC)"] : [])
            + (signatures ? ["signature"] : [])
        var rows = self.rows.map { row -> [String] in
            let claims =
                row.counted
                ? lessons.map { mark(row.cells[$0.slug], style: style) } + ["\(row.points)/\(row.maxPoints)"]
                : lessons.map { _ in style.dim("–") } + [style.dim("–")]
            return [row.student] + claims + (times ? [row.counted ? Self.shortTime(row.latest) : "–"] : [])
                + (signatures ? [signatureText(row.signature, style: style)] : [])
        }
        rows.append(
            ["passed"]
                + lessons.map { l in
                    "\(self.rows.filter { $0.cells[l.slug]?.status == "pass" }.count)/\(self.rows.filter { $0.cells[l.slug] != nil }.count)"
                } + [""] + (times ? [""] : []) + (signatures ? [""] : []))
        var out = renderTable(header: header, rows: rows, rightAligned: Set(1..<(lessons.count + 2)), style: style)
        out += "\n\n" + lessons.map { String(format: "%02d", $0.number) + "  \(UntrustedText.escaped($0.title))" }.joined(separator: "\n")
        let stuck = ClassStuck(self)
        if !stuck.lessons.isEmpty { out += "\n\n" + Self.renderStuck(stuck, style: style) }
        out += "\n\n" + trustNote
        if !badSignatures.isEmpty {
            out += "\n\n" + style.red("BAD SIGNATURE") + " (not counted):\n" + badSignatures.map { "  " + $0 }.joined(separator: "\n")
        }
        if !problems.isEmpty {
            out += "\n\nskipped:\n" + problems.map { "  " + UntrustedText.escaped($0) }.joined(separator: "\n")
        }
        return out + "\n"
    }

    /// The checks shown per lesson in "where the class is stuck"; the rest are counted in a line.
    public static let stuckChecksShown = 8

    /// For each lesson not everyone passed: a small table of the checks students fail (`fail`:
    /// how many fail it, `first`: for how many it is the first failure), and the check most
    /// often failed first.
    static func renderStuck(_ stuck: ClassStuck, style: Style) -> String {
        var parts = [style.bold("Where the class is stuck") + " (each student's latest attempt)"]
        for lesson in stuck.lessons {
            var text =
                String(format: "%02d", lesson.lesson.number) + "  \(UntrustedText.escaped(lesson.lesson.title)): "
                + "\(lesson.passed) of \(lesson.took) passed" + (lesson.errored > 0 ? ", \(lesson.errored) did not build or run" : "")
            let shown = lesson.checks.prefix(stuckChecksShown)
            if !shown.isEmpty {
                let table = renderTable(
                    header: ["fail", "first", "check"], rows: shown.map { ["\($0.failing)", "\($0.first)", $0.name] },
                    rightAligned: [0, 1], style: style)
                text += "\n" + table.split(separator: "\n", omittingEmptySubsequences: false).map { "    " + $0 }.joined(separator: "\n")
            }
            if lesson.checks.count > shown.count { text += "\n    … and \(lesson.checks.count - shown.count) more checks" }
            if let first = lesson.mostOftenFirst {
                let stuckCount = lesson.took - lesson.passed - lesson.errored
                text += "\n    Most often the first failure: \"\(first.name)\" (\(first.first) of the \(stuckCount) who have not passed)"
            }
            parts.append(text)
        }
        return parts.joined(separator: "\n\n")
    }
}
