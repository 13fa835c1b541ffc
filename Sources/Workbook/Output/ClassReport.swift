import Foundation

/// `netlab report`: one class table from many students' `--json` files.
public struct ClassReport: Sendable, Equatable {
    public struct Cell: Sendable, Equatable {
        public var status: String
        public var points: Int
        public var maxPoints: Int
    }

    public struct Row: Sendable, Equatable {
        /// The JSON's `student`, or the file name without `.json`.
        public var student: String
        public var file: String
        /// By lesson slug.
        public var cells: [String: Cell]
        public var points: Int { cells.values.reduce(0) { $0 + $1.points } }
        public var maxPoints: Int { cells.values.reduce(0) { $0 + $1.maxPoints } }
    }

    /// Every lesson any file mentions, by number then slug.
    public var lessons: [ResultsJSON.LessonInfo]
    public var rows: [Row]
    /// Files that could not be read, with the reason.
    public var problems: [String]

    public init(files: [(name: String, data: Data)]) {
        var lessons: [String: ResultsJSON.LessonInfo] = [:]
        var rows: [Row] = []
        var problems: [String] = []
        for file in files {
            do {
                let (student, docs) = try ResultsJSON.decodeAny(file.data)
                var cells: [String: Cell] = [:]
                for doc in docs {
                    lessons[doc.lesson.slug] = doc.lesson
                    cells[doc.lesson.slug] = Cell(status: doc.status, points: doc.points, maxPoints: doc.maxPoints)
                }
                let base = (file.name as NSString).lastPathComponent
                let fallback = base.hasSuffix(".json") ? String(base.dropLast(5)) : base
                rows.append(Row(student: student.flatMap { $0.isEmpty ? nil : $0 } ?? fallback, file: file.name, cells: cells))
            } catch {
                problems.append("\(file.name): not a netlab results file (\(Self.describe(error)))")
            }
        }
        self.lessons = lessons.values.sorted { ($0.number, $0.slug) < ($1.number, $1.slug) }
        self.rows = rows.sorted { ($0.student.lowercased(), $0.file) < ($1.student.lowercased(), $1.file) }
        self.problems = problems
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

    /// The terminal table: a row per student, a column per lesson, the total, and a last row
    /// counting how many passed each lesson.
    public func renderText(style: Style = .plain) -> String {
        let header = ["student"] + lessons.map { String(format: "%02d", $0.number) } + ["points"]
        var rows = self.rows.map { row -> [String] in
            [row.student] + lessons.map { mark(row.cells[$0.slug], style: style) } + ["\(row.points)/\(row.maxPoints)"]
        }
        rows.append(["passed"] + lessons.map { l in
            "\(self.rows.filter { $0.cells[l.slug]?.status == "pass" }.count)/\(self.rows.filter { $0.cells[l.slug] != nil }.count)"
        } + [""])
        var out = renderTable(header: header, rows: rows, rightAligned: Set(1..<header.count), style: style)
        out += "\n\n" + lessons.map { String(format: "%02d", $0.number) + "  \($0.title)" }.joined(separator: "\n")
        if !problems.isEmpty {
            out += "\n\nskipped:\n" + problems.map { "  " + $0 }.joined(separator: "\n")
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
        out += "<th>points</th></tr></thead>\n<tbody>\n"
        for row in rows {
            out += "<tr><td>\(h(row.student))</td>"
            for l in lessons {
                if let c = row.cells[l.slug] {
                    let cls = c.status == "pass" ? "pass" : c.status == "error" ? "error" : "fail"
                    let text = c.status == "error" ? "error" : "\(c.status == "pass" ? "✓" : "✗") \(c.points)/\(c.maxPoints)"
                    out += "<td class=\"\(cls)\">\(h(text))</td>"
                } else {
                    out += "<td class=\"none\">–</td>"
                }
            }
            out += "<td>\(row.points)/\(row.maxPoints)</td></tr>\n"
        }
        out += "</tbody>\n<tfoot><tr><td>passed</td>"
        for l in lessons {
            let passed = rows.filter { $0.cells[l.slug]?.status == "pass" }.count
            let took = rows.filter { $0.cells[l.slug] != nil }.count
            out += "<td>\(passed)/\(took)</td>"
        }
        out += "<td></td></tr></tfoot>\n</table>\n"
        if !problems.isEmpty {
            out += "<h2>Skipped files</h2>\n<ul class=\"problems\">\n" + problems.map { "<li>\(h($0))</li>" }.joined(separator: "\n") + "\n</ul>\n"
        }
        out += "</body>\n</html>\n"
        return out
    }
}
