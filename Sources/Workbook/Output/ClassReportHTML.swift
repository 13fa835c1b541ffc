import CheckResults
import Foundation

/// `netlab report --html`: the class table and where the class is stuck, as one page.
extension ClassReport {
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
            h2 { margin-top: 2rem; } h3 { margin-bottom: .3rem; }
            td.check { text-align: left; } .tries { color: #666; font-size: .85em; }
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
        let times = showsTimes
        out += "<th>points</th>" + (times ? "<th>latest (UTC)</th>" : "") + (showsSignatures ? "<th>signature</th>" : "")
        out += "</tr></thead>\n<tbody>\n"
        for row in rows {
            out += "<tr><td>\(h(row.student))</td>"
            for l in lessons {
                if row.counted, let c = row.cells[l.slug] {
                    let cls = c.status == "pass" ? "pass" : c.status == "error" ? "error" : "fail"
                    let text = c.status == "error" ? "error" : "\(c.status == "pass" ? "✓" : "✗") \(c.points)/\(c.maxPoints)"
                    let tries = c.attempts > 1 ? " <span class=\"tries\">×\(c.attempts)</span>" : ""
                    let when =
                        c.latest.map { " title=\"latest: \(h(Self.shortTime($0))) UTC, \(c.attempts) attempt\(c.attempts == 1 ? "" : "s")\"" } ?? ""
                    out += "<td class=\"\(cls)\"\(when)>\(h(text))\(tries)</td>"
                } else {
                    out += "<td class=\"none\">–</td>"
                }
            }
            out += row.counted ? "<td>\(row.points)/\(row.maxPoints)</td>" : "<td class=\"none\">–</td>"
            if times { out += "<td>\(h(row.counted ? Self.shortTime(row.latest) : "–"))</td>" }
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
        out += "<td></td>" + (times ? "<td></td>" : "") + (showsSignatures ? "<td></td>" : "") + "</tr></tfoot>\n</table>\n"
        out += Self.stuckHTML(ClassStuck(self))
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

    /// Where the class is stuck, as a table per lesson (empty when every student passed).
    static func stuckHTML(_ stuck: ClassStuck) -> String {
        func h(_ s: String) -> String { JUnitXML.escape(s) }
        guard !stuck.lessons.isEmpty else { return "" }
        var out = "<h2>Where the class is stuck</h2>\n<p>Each student's latest attempt. <em>fail</em>: students who fail the check; "
        out += "<em>first</em>: students for whom it is the first check that fails, usually the one to explain next.</p>\n"
        for lesson in stuck.lessons {
            out += "<h3>\(String(format: "%02d", lesson.lesson.number)) \(h(lesson.lesson.title))</h3>\n"
            out += "<p>\(lesson.passed) of \(lesson.took) passed"
            out += (lesson.errored > 0 ? ", \(lesson.errored) did not build or run" : "") + ".</p>\n"
            guard !lesson.checks.isEmpty else { continue }
            out += "<table class=\"stuck\">\n<thead><tr><th>check</th><th>fail</th><th>first</th></tr></thead>\n<tbody>\n"
            for check in lesson.checks.prefix(stuckChecksShown) {
                let mark = check.name == lesson.mostOftenFirst?.name ? " class=\"error\"" : ""
                out += "<tr\(mark)><td class=\"check\">\(h(check.name))</td><td>\(check.failing)</td><td>\(check.first)</td></tr>\n"
            }
            if lesson.checks.count > stuckChecksShown {
                out += "<tr><td class=\"check\">… and \(lesson.checks.count - stuckChecksShown) more checks</td><td></td><td></td></tr>\n"
            }
            out += "</tbody>\n</table>\n"
        }
        return out
    }
}
