@testable import CheckLanguage
@testable import CheckResults
@testable import CheckRuntime
import Foundation
import FoundationXML
@testable import NetlabCommandLine
import Testing
@testable import Workbook
#if canImport(FoundationXML)
#endif

@Suite("Output: class report")
struct OutputReportTests {
    func files() throws -> [(name: String, data: Data)] {
        let ada = ResultsJSON.bundle(
            [
                ResultsJSON.document(for: sampleResult(failing: false), scriptLines: [], student: "ada", date: nil),
                ResultsJSON.document(for: sampleResult(slug: "02-timeouts", number: 2), scriptLines: [], student: "ada", date: nil),
            ], student: "ada", date: nil)
        let bob = ResultsJSON.document(for: sampleResult(), scriptLines: [], student: nil, date: nil)
        let cy = ResultsJSON.document(
            for: sampleResult(slug: "02-timeouts", number: 2, error: "does not build"), scriptLines: [], student: "cy <b>", date: nil)
        return [
            ("results/ada.json", try ResultsJSON.encode(ada)), ("results/bob.json", try ResultsJSON.encode(bob)),
            ("cy.json", try ResultsJSON.encode(cy)), ("junk.json", Data("{".utf8)),
            ("partial.json", Data("{\"version\":3,\"status\":\"pass\"}".utf8)),
        ]
    }

    @Test func table() throws {
        let report = ClassReport(files: try files())
        #expect(report.rows.map(\.student) == ["ada", "bob", "cy <b>"])
        #expect(report.lessons.map(\.slug) == ["01-echo", "02-timeouts"])
        #expect(
            report.problems == ["junk.json: not a netlab results file (invalid JSON)", "partial.json: not a netlab results file (missing key tests)"])
        let text = report.renderText()
        #expect(
            text.hasPrefix(
                """
                student     01       02  points
                ───────  ─────  ───────  ──────
                ada      ✓ 3/3    ✗ 1/3     4/6
                bob      ✗ 1/3        –     1/3
                cy <b>       –  ! error     0/0
                passed     1/2      0/2
                """))
        #expect(text.contains("01  Echo server"))
        #expect(text.contains("skipped:\n  junk.json"))
    }

    @Test func html() throws {
        let html = ClassReport(files: try files()).renderHTML(generated: Date(timeIntervalSince1970: 0))
        #expect(html.hasPrefix("<!DOCTYPE html>"))
        #expect(html.contains("<td>cy &lt;b&gt;</td>"))
        #expect(!html.contains("cy <b>"))
        #expect(html.contains("<td class=\"pass\">✓ 3/3</td>"))
        #expect(html.contains("<td class=\"error\">error</td>"))
        #expect(!html.contains("<script") && !html.contains("http://") && !html.contains("https://") && !html.contains("<link"))
        // Well-formed enough for an XML parser (it is also valid HTML).
        let xhtml = html.replacingOccurrences(of: "<!DOCTYPE html>\n", with: "").replacingOccurrences(
            of: "<meta charset=\"utf-8\">", with: "<meta charset=\"utf-8\"/>")
        #expect(throws: Never.self) { try XMLDocument(xmlString: xhtml, options: []) }
    }
}

@Suite("Output: runner transcripts")
struct OutputRunnerTranscriptTests {
    @Test func hintIsNotRepeatedWhenTheTranscriptHasIt() throws {
        var check = sampleResult().checks[1]
        check.transcript = "FAIL checks.netlab:14:3: expect b\nhint: Use one task per client.\n\n"
        let text = CheckPrinter(style: .plain, verbose: false).render(check)
        #expect(text.components(separatedBy: "hint: Use one task per client.").count == 2)
        #expect(!text.hasSuffix("\n"))
        let doc = ResultsJSON.document(
            for: LessonResult(number: 1, slug: "01-echo", title: "E", error: nil, checks: [check]),
            scriptLines: [], student: nil, date: nil)
        #expect(doc.tests[0].output == "FAIL checks.netlab:14:3: expect b\nhint: Use one task per client.")
        let xml = JUnitXML.render([LessonResult(number: 1, slug: "01-echo", title: "E", error: nil, checks: [check])])
        #expect(xml.components(separatedBy: "hint: Use one task per client.").count == 3)  // failure + system-out
    }
}
