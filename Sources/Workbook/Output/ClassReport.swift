import CheckResults
import Foundation

/// `netlab report`: one class table from many students' `--json` files.
///
/// Every file is untrusted: it is read within ``ResultsValidation``'s bounds (a bad file is
/// skipped with a reason, the rest are reported), its names are shown through
/// ``UntrustedText``, and with a class key its signature is checked (``ResultsSignature``): a
/// file whose signature does not verify is shown as such, never counted as its claims.
public struct ClassReport: Sendable, Equatable {
    public struct Cell: Sendable, Equatable {
        public var status: String
        public var points: Int
        public var maxPoints: Int
    }

    public struct Row: Sendable, Equatable {
        /// The JSON's `student`, or the file name without `.json`; escaped for display.
        public var student: String
        public var file: String
        /// By lesson slug. Empty for a file whose signature does not verify.
        public var cells: [String: Cell]
        public var signature: ResultsSignature.Verdict
        public var points: Int { cells.values.map(\.points).saturatingSum() }
        public var maxPoints: Int { cells.values.map(\.maxPoints).saturatingSum() }
        /// Whether the row's claims are shown and counted (not a bad signature).
        public var counted: Bool { if case .bad = signature { false } else { true } }
    }

    /// Every lesson any counted file mentions, by number then slug.
    public var lessons: [ResultsJSON.LessonInfo]
    public var rows: [Row]
    /// Files that could not be read, with the reason.
    public var problems: [String]
    /// Whether a class key was given (`report --key`).
    public var keyGiven: Bool

    public init(files: [(name: String, data: Data)], key: ClassKey? = nil) {
        var lessons: [String: ResultsJSON.LessonInfo] = [:]
        var rows: [Row] = []
        var problems: [String] = []
        for file in files {
            let shownName = UntrustedText.escaped(file.name)
            guard file.data.count <= ResultsValidation.fileLimit else {
                problems.append("\(shownName): larger than \(Bytes.size(ResultsValidation.fileLimit)), not a netlab results file")
                continue
            }
            let (verdict, payload) = ResultsSignature.verify(file.data, key: key)
            let base = (file.name as NSString).lastPathComponent
            let fallback = UntrustedText.escaped(base.hasSuffix(".json") ? String(base.dropLast(5)) : base)
            do {
                let (student, docs) = try ResultsJSON.decodeAny(payload)
                let name = student.flatMap { $0.isEmpty ? nil : UntrustedText.escaped(String($0.prefix(ResultsValidation.nameLimit))) }
                if case .bad = verdict {
                    // Shown, so the instructor sees it, but none of its claims are used: not even
                    // the name, which could blame a classmate. The file's name stands for it.
                    rows.append(Row(student: fallback, file: shownName, cells: [:], signature: verdict))
                    continue
                }
                try ResultsValidation.validate(student: student, lessons: docs)
                var cells: [String: Cell] = [:]
                for doc in docs {
                    lessons[doc.lesson.slug] = doc.lesson
                    cells[doc.lesson.slug] = Cell(status: doc.status, points: doc.points, maxPoints: doc.maxPoints)
                }
                rows.append(Row(student: name ?? fallback, file: shownName, cells: cells, signature: verdict))
            } catch let invalid as ResultsValidation.Invalid {
                problems.append("\(shownName): \(invalid.reason)")
            } catch {
                if case .bad = verdict {
                    rows.append(Row(student: fallback, file: shownName, cells: [:], signature: verdict))
                } else {
                    problems.append("\(shownName): not a netlab results file (\(UntrustedText.escaped(Self.describe(error))))")
                }
            }
        }
        self.lessons = lessons.values.sorted { ($0.number, $0.slug) < ($1.number, $1.slug) }
        self.rows = rows.sorted { ($0.student.lowercased(), $0.file) < ($1.student.lowercased(), $1.file) }
        self.problems = problems
        self.keyGiven = key != nil
    }

    /// Whether the table needs a signature column: a key was given or some file is signed.
    var showsSignatures: Bool { keyGiven || rows.contains { $0.signature != .unsigned } }

    /// Files whose signature did not verify, as lines for the end of the report.
    package var badSignatures: [String] {
        rows.compactMap { row in
            guard case .bad(let why) = row.signature else { return nil }
            return "\(row.student) (\(row.file)): \(why)"
        }
    }

    /// What the table can and cannot be trusted for, in plain words.
    var trustNote: String {
        if !keyGiven {
            let signed = rows.contains { $0.signature == .notChecked }
            return "Results are self-reported: a results file says whatever its author wrote, and netlab cannot tell an edited one"
                + (signed ? " without the class key (some files are signed: give `--key KEYFILE` to check them)." : ".")
                + " To tell, sign them: the class setup runs `netlab check --json FILE` with a class key"
                + " (`--key KEYFILE` or NETLAB_CLASS_KEY_FILE), and `netlab report --key KEYFILE` checks them (docs/cli.md)."
        }
        return "verified: written by a netlab that had the class key and unchanged since; this does not prove who ran the"
            + " checks, or that netlab was not modified or run under a debugger. unsigned: self-reported, anyone can write it."
            + " BAD SIGNATURE: changed after it was signed (or signed with another key); its claims are not counted."
    }

    func signatureText(_ verdict: ResultsSignature.Verdict, style: Style) -> String {
        switch verdict {
        case .verified: style.green("verified")
        case .unsigned: style.yellow("unsigned")
        case .notChecked: style.dim("not checked")
        case .bad: style.red("BAD SIGNATURE")
        }
    }

    static func describe(_ error: Error) -> String {
        switch error {
        case DecodingError.keyNotFound(let key, let ctx):
            let path = (ctx.codingPath.map(\.stringValue) + [key.stringValue]).joined(separator: ".")
            return "missing key \(path)"
        case DecodingError.typeMismatch(_, let ctx), DecodingError.valueNotFound(_, let ctx):
            return "wrong type at \(ctx.codingPath.map(\.stringValue).joined(separator: "."))"
        case DecodingError.dataCorrupted:
            return "invalid JSON"
        default:
            return "\(error)"
        }
    }

    func mark(_ cell: Cell?, style: Style) -> String {
        guard let cell else { return style.dim("–") }
        let score = "\(cell.points)/\(cell.maxPoints)"
        switch cell.status {
        case "pass": return style.green("✓ \(score)")
        case "error": return style.red("! error")
        default: return style.yellow("✗ \(score)")
        }
    }

    /// The terminal table: a row per student, a column per lesson, the total (and with
    /// signatures, whether each file verified), and a last row counting how many passed each
    /// lesson; then what the table can be trusted for, bad signatures and skipped files.
    public func renderText(style: Style = .plain) -> String {
        let signatures = showsSignatures
        let header = ["student"] + lessons.map { String(format: "%02d", $0.number) } + ["points"] + (signatures ? ["signature"] : [])
        var rows = self.rows.map { row -> [String] in
            let claims =
                row.counted
                ? lessons.map { mark(row.cells[$0.slug], style: style) } + ["\(row.points)/\(row.maxPoints)"]
                : lessons.map { _ in style.dim("–") } + [style.dim("–")]
            return [row.student] + claims + (signatures ? [signatureText(row.signature, style: style)] : [])
        }
        rows.append(
            ["passed"]
                + lessons.map { l in
                    "\(self.rows.filter { $0.cells[l.slug]?.status == "pass" }.count)/\(self.rows.filter { $0.cells[l.slug] != nil }.count)"
                } + [""] + (signatures ? [""] : []))
        var out = renderTable(header: header, rows: rows, rightAligned: Set(1..<(lessons.count + 2)), style: style)
        out += "\n\n" + lessons.map { String(format: "%02d", $0.number) + "  \(UntrustedText.escaped($0.title))" }.joined(separator: "\n")
        out += "\n\n" + trustNote
        if !badSignatures.isEmpty {
            out += "\n\n" + style.red("BAD SIGNATURE") + " (not counted):\n" + badSignatures.map { "  " + $0 }.joined(separator: "\n")
        }
        if !problems.isEmpty {
            out += "\n\nskipped:\n" + problems.map { "  " + UntrustedText.escaped($0) }.joined(separator: "\n")
        }
        return out + "\n"
    }

    /// A self-contained HTML page (inline CSS, no scripts, no external resources).
    public func renderHTML(title: String = "netlab class report", generated: Date = Date()) -> String {
        func h(_ s: String) -> String { JUnitXML.escape(s) }
        var out = """
            <!DOCTYPE html>
            <html lang="en">
            <head>
            <meta charset="utf-8">
            <title>\(h(title))</title>
            <style>
            body { font-family: system-ui, sans-serif; margin: 2rem; color: #222; }
            table { border-collapse: collapse; }
            th, td { border: 1px solid #ccc; padding: .3rem .6rem; text-align: center; }
            th:first-child, td:first-child { text-align: left; }
            td.pass { background: #dff5df; } td.fail { background: #fff2cc; } td.error { background: #f8d7da; } td.none { color: #999; }
            tfoot td { font-weight: bold; }
            .problems { color: #a00; }
            </style>
            </head>
            <body>
            <h1>\(h(title))</h1>
            <p>\(rows.count) student(s), \(lessons.count) lesson(s). Generated \(h(ResultsJSON.iso8601(generated))).</p>
            <table>
            <thead><tr><th>student</th>
            """
        out += "\n"
        for l in lessons { out += "<th title=\"\(h(l.title))\">\(String(format: "%02d", l.number)) \(h(l.title))</th>" }
        out += "<th>points</th>" + (showsSignatures ? "<th>signature</th>" : "") + "</tr></thead>\n<tbody>\n"
        for row in rows {
            out += "<tr><td>\(h(row.student))</td>"
            for l in lessons {
                if row.counted, let c = row.cells[l.slug] {
                    let cls = c.status == "pass" ? "pass" : c.status == "error" ? "error" : "fail"
                    let text = c.status == "error" ? "error" : "\(c.status == "pass" ? "✓" : "✗") \(c.points)/\(c.maxPoints)"
                    out += "<td class=\"\(cls)\">\(h(text))</td>"
                } else {
                    out += "<td class=\"none\">–</td>"
                }
            }
            out += row.counted ? "<td>\(row.points)/\(row.maxPoints)</td>" : "<td class=\"none\">–</td>"
            if showsSignatures {
                let cls = row.signature == .verified ? "pass" : row.counted ? "fail" : "error"
                out += "<td class=\"\(cls)\">\(h(signatureText(row.signature, style: .plain)))</td>"
            }
            out += "</tr>\n"
        }
        out += "</tbody>\n<tfoot><tr><td>passed</td>"
        for l in lessons {
            let passed = rows.filter { $0.cells[l.slug]?.status == "pass" }.count
            let took = rows.filter { $0.cells[l.slug] != nil }.count
            out += "<td>\(passed)/\(took)</td>"
        }
        out += "<td></td>" + (showsSignatures ? "<td></td>" : "") + "</tr></tfoot>\n</table>\n"
        out += "<p class=\"note\">\(h(trustNote))</p>\n"
        if !badSignatures.isEmpty {
            out +=
                "<h2>BAD SIGNATURE (not counted)</h2>\n<ul class=\"problems\">\n"
                + badSignatures.map { "<li>\(h($0))</li>" }.joined(separator: "\n") + "\n</ul>\n"
        }
        if !problems.isEmpty {
            out += "<h2>Skipped files</h2>\n<ul class=\"problems\">\n" + problems.map { "<li>\(h($0))</li>" }.joined(separator: "\n") + "\n</ul>\n"
        }
        out += "</body>\n</html>\n"
        return out
    }
}
