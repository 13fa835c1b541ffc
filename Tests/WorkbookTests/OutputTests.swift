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

/// Exercism v3 results, decoded strictly: every required key must be present (an explicit null
/// counts for `message`), statuses must be known, and per-test `message` is required unless the
/// test passed.
struct StrictResults: Decodable {
    struct Lesson: Decodable { let number: Int; let slug: String; let title: String }
    struct TestEntry: Decodable {
        let name: String, status: String, message: String?, output: String?, test_code: String, task_id: Int
        let points: Int, max_points: Int
    }
    let version: Int, status: String, message: String?, tests: [TestEntry], points: Int, max_points: Int
    let lesson: Lesson?
    let lessons: [StrictResults]?

    enum K: String, CodingKey { case version, status, message, tests, points, max_points, lesson, lessons }

    init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: K.self)
        version = try c.decode(Int.self, forKey: .version)
        status = try c.decode(String.self, forKey: .status)
        message = try c.decode(String?.self, forKey: .message)  // key required, value may be null
        tests = try c.decode([TestEntry].self, forKey: .tests)
        points = try c.decode(Int.self, forKey: .points)
        max_points = try c.decode(Int.self, forKey: .max_points)
        lesson = try c.decodeIfPresent(Lesson.self, forKey: .lesson)
        lessons = try c.decodeIfPresent([StrictResults].self, forKey: .lessons)
        guard version == 3, ["pass", "fail", "error"].contains(status) else {
            throw DecodingError.dataCorruptedError(forKey: .status, in: c, debugDescription: "bad version or status")
        }
        if status == "error", message == nil {
            throw DecodingError.dataCorruptedError(forKey: .message, in: c, debugDescription: "message required for error")
        }
        for t in tests {
            guard ["pass", "fail", "error"].contains(t.status), t.status == "pass" || t.message != nil, (t.output?.count ?? 0) <= 500 else {
                throw DecodingError.dataCorruptedError(forKey: .tests, in: c, debugDescription: "bad test \(t.name)")
            }
        }
    }
}

func sampleResult(slug: String = "01-echo", number: Int = 1, failing: Bool = true, error: String? = nil, longTranscript: Bool = false) -> LessonResult
{
    let transcript =
        longTranscript
        ? String(repeating: "[client a] sent \"x\" <&>\n", count: 60) : "[client a] sent \"hi\\n\"\n[server] accepted <127.0.0.1> & \"quoted\""
    let checks =
        error != nil
        ? []
        : [
            CheckResult(
                name: "echoes one line", status: .pass, points: 1, maxPoints: 1, message: nil, transcript: "ok", hint: nil,
                location: "checks.netlab:4:1", index: 1, duration: .milliseconds(250)),
            CheckResult(
                name: "serves two <clients> & \"more\"", status: failing ? .fail : .pass, points: failing ? 0 : 2, maxPoints: 2,
                message: failing ? "expected \"b\\n\" from client b within 1s, got nothing (checks.netlab:14:3)" : nil,
                transcript: transcript + "\u{1}", hint: "Use one task per client.", location: "checks.netlab:10:1", index: 2,
                duration: .milliseconds(1500)),
        ]
    return LessonResult(number: number, slug: slug, title: "Echo server", error: error, checks: checks)
}

let echoScriptLines =
    (try? String(contentsOf: fixturesDirectory.appendingPathComponent("workbook/lessons/01-echo/checks.netlab"), encoding: .utf8))?
    .components(separatedBy: "\n") ?? []

@Suite("Output: JSON and JUnit")
struct OutputMachineTests {
    @Test func jsonSingleLessonShape() throws {
        let doc = ResultsJSON.document(
            for: sampleResult(longTranscript: true), scriptLines: echoScriptLines, student: "ada", date: Date(timeIntervalSince1970: 0))
        let data = try ResultsJSON.encode(doc)
        let strict = try JSONDecoder().decode(StrictResults.self, from: data)
        #expect(strict.status == "fail")
        #expect(strict.message == nil)
        #expect(strict.tests.map(\.name) == ["echoes one line", "serves two <clients> & \"more\""])
        #expect(strict.tests.map(\.task_id) == [1, 2])
        #expect(strict.tests[0].status == "pass" && strict.tests[0].output == nil && strict.tests[0].message == nil)
        #expect(strict.tests[1].message?.hasPrefix("expected") == true)
        #expect(strict.tests[1].output!.count <= 500)
        #expect(strict.tests[1].output!.hasSuffix("Output was truncated. Please limit to 500 chars"))
        #expect(
            strict.tests[0].test_code
                == "check \"echoes one line\"\n  hint \"Copy from the connection to itself.\"\n  connect a\n  send a \"hi\\n\"\n  expect a \"hi\\n\" within 1s"
        )
        #expect(strict.tests[1].test_code.hasPrefix("check \"serves two clients at once\" points 2"))
        #expect(strict.points == 1 && strict.max_points == 3)
        #expect(strict.tests[1].points == 0 && strict.tests[1].max_points == 2)
        #expect(strict.lesson?.slug == "01-echo" && strict.lesson?.number == 1 && strict.lesson?.title == "Echo server")
        // `message` is written as an explicit null, as in Exercism's example.
        let object = try JSONSerialization.jsonObject(with: data) as! [String: Any]
        #expect(object["message"] is NSNull)
        #expect(object["student"] as? String == "ada")
        // Round trip through the model netlab report reads.
        let (student, lessons) = try ResultsJSON.decodeAny(data)
        #expect(student == "ada" && lessons == [doc])
    }

    @Test func jsonErrorAndBundle() throws {
        let error = ResultsJSON.document(
            for: sampleResult(slug: "02-timeouts", number: 2, error: "lessons/02-timeouts/main.swift does not build"),
            scriptLines: [], student: nil, date: nil)
        #expect(error.status == "error" && error.message == "lessons/02-timeouts/main.swift does not build")
        let pass = ResultsJSON.document(for: sampleResult(failing: false), scriptLines: echoScriptLines, student: nil, date: nil)
        #expect(pass.status == "pass")
        let bundle = ResultsJSON.bundle([pass, error], student: "ada", date: nil)
        let data = try ResultsJSON.encode(bundle)
        let strict = try JSONDecoder().decode(StrictResults.self, from: data)
        #expect(strict.status == "fail")
        #expect(strict.lessons?.count == 2)
        #expect(strict.tests.map(\.name) == ["01-echo: echoes one line", "01-echo: serves two <clients> & \"more\""])
        #expect(strict.points == 3 && strict.max_points == 3)
        let allError = ResultsJSON.bundle([error], student: nil, date: nil)
        #expect(allError.status == "error" && allError.message == "02-timeouts: lessons/02-timeouts/main.swift does not build")
        _ = try JSONDecoder().decode(StrictResults.self, from: ResultsJSON.encode(allError))
        let (_, lessons) = try ResultsJSON.decodeAny(data)
        #expect(lessons.map(\.lesson.slug) == ["01-echo", "02-timeouts"])
        // A plain array of lesson documents is accepted too.
        let array = try JSONEncoder().encode([pass, error])
        #expect(try ResultsJSON.decodeAny(array).lessons.count == 2)
        #expect(throws: (any Error).self) { try ResultsJSON.decodeAny(Data("{\"version\": 3}".utf8)) }
    }

    @Test func junitShape() throws {
        let xml = JUnitXML.render([sampleResult(), sampleResult(slug: "02-timeouts", number: 2, error: "does not <build>\nline 2")])
        let doc = try XMLDocument(xmlString: xml, options: [])
        let root = try #require(doc.rootElement())
        #expect(root.name == "testsuites")
        for attr in ["name", "tests", "failures", "errors", "skipped", "time"] { #expect(root.attribute(forName: attr) != nil, "testsuites@\(attr)") }
        #expect(root.attribute(forName: "tests")?.stringValue == "3")
        #expect(root.attribute(forName: "failures")?.stringValue == "1")
        #expect(root.attribute(forName: "errors")?.stringValue == "1")
        let suites = root.elements(forName: "testsuite")
        #expect(suites.count == 2)
        for suite in suites {
            for attr in ["name", "tests", "failures", "errors", "skipped", "time"] {
                #expect(suite.attribute(forName: attr) != nil, "testsuite@\(attr)")
            }
            for testcase in suite.elements(forName: "testcase") {
                for attr in ["classname", "name", "time"] { #expect(testcase.attribute(forName: attr) != nil, "testcase@\(attr)") }
            }
        }
        let cases = suites[0].elements(forName: "testcase")
        #expect(cases.map { $0.attribute(forName: "name")?.stringValue } == ["echoes one line", "serves two <clients> & \"more\""])
        #expect(cases[0].children == nil || cases[0].elements(forName: "failure").isEmpty)
        let failure = try #require(cases[1].elements(forName: "failure").first)
        #expect(failure.attribute(forName: "type")?.stringValue == "failure")
        #expect(failure.attribute(forName: "message")?.stringValue == "expected \"b\\n\" from client b within 1s, got nothing (checks.netlab:14:3)")
        #expect(failure.stringValue?.contains("hint: Use one task per client.") == true)
        #expect(failure.stringValue?.contains("\\x01") == true)  // a control character, escaped
        #expect(cases[1].elements(forName: "system-out").first?.stringValue?.contains("accepted <127.0.0.1> & \"quoted\"") == true)
        #expect(cases[1].attribute(forName: "time")?.stringValue == "1.500")
        let errorCase = try #require(suites[1].elements(forName: "testcase").first)
        #expect(errorCase.attribute(forName: "name")?.stringValue == "build")
        #expect(errorCase.elements(forName: "error").first?.attribute(forName: "message")?.stringValue == "does not <build>")
    }

    @Test func xmlEscape() {
        // A CR is shown as `\r`, not kept as `&#13;`, which a reader would decode back to a raw CR.
        #expect(JUnitXML.escape("a<b>&\"c'\u{0}\r\u{1B}\u{202E}") == "a&lt;b&gt;&amp;&quot;c&apos;\\x00\\r\\x1b\\u{202e}")
    }
}

@Suite("Output: terminal")
struct OutputTerminalTests {
    @Test func markdownPlain() {
        let md = """
            # Echo server

            A **bold** and *italic* word, `code`, and a [link](https://go.dev).

            ## Steps

            1. Listen.
            2. Accept.

            - one
              - nested

            > quoted

            ```swift
            let x = 1   // **not bold**
            ```

            - a list item whose text
              goes on in the next line

            | check | expects |
            |---|---|
            | echoes | the same `a|b` bytes back |
            """
        let out = MarkdownRenderer(style: .plain, width: 80).render(md)
        #expect(
            out == """
                Echo server
                ═══════════

                A bold and italic word, `code`, and a link (https://go.dev).

                Steps
                ─────

                  1. Listen.
                  2. Accept.

                  • one
                    • nested

                │ quoted

                    ── swift ──
                    let x = 1   // **not bold**

                  • a list item whose text goes on in the next line

                  • echoes
                      expects: the same `a|b` bytes back

                """)
    }

    @Test func markdownColourAndWrapping() {
        let out = MarkdownRenderer(style: Style(color: true), width: 30).render(
            "## Title\n\nSome **bold** text that is long enough to wrap around the limit.\n")
        #expect(out.contains("\u{1B}[1;36mTitle\u{1B}[0m"))
        #expect(out.contains("\u{1B}[1mbold\u{1B}[0m"))
        for line in out.split(separator: "\n") { #expect(visibleWidth(String(line)) <= 30) }
        // Plain output never has escape codes.
        #expect(!MarkdownRenderer(style: .plain).render("**x** `y`").contains("\u{1B}"))
    }

    @Test func diffUnified() {
        let a = (1...12).map { "line \($0)" }.joined(separator: "\n") + "\n"
        var lines = (1...12).map { "line \($0)" }
        lines[1] = "line two"
        lines.insert("new", at: 10)
        let b = lines.joined(separator: "\n") + "\n"
        let diff = Diff.unified(from: a, to: b, oldName: "mine", newName: "solution")
        #expect(
            diff == """
                --- mine
                +++ solution
                @@ -1,5 +1,5 @@
                 line 1
                -line 2
                +line two
                 line 3
                 line 4
                 line 5
                @@ -8,5 +8,6 @@
                 line 8
                 line 9
                 line 10
                +new
                 line 11
                 line 12

                """)
        #expect(Diff.unified(from: a, to: a, oldName: "x", newName: "y") == "")
        #expect(Diff.unified(from: "", to: "a\n", oldName: "x", newName: "y") == "--- x\n+++ y\n@@ -0,0 +1,1 @@\n+a\n")
        #expect(Diff.unified(from: "a\n", to: "", oldName: "x", newName: "y") == "--- x\n+++ y\n@@ -1,1 +0,0 @@\n-a\n")
    }

    @Test func diffIsMinimal() {
        let a = ["a", "b", "c", "a", "b", "b", "a"], b = ["c", "b", "a", "b", "a", "c"]
        let script = Diff.lines(a, b)
        let edits = script.filter { if case .same = $0 { return false } else { return true } }.count
        #expect(edits == 5)  // Myers' example: D = 5
        // Applying the script gives both sides back.
        #expect(
            script.compactMap {
                if case .added = $0 { return nil }; if case .same(let s) = $0 { return s }; if case .removed(let s) = $0 { return s }; return nil
            } == a)
        #expect(
            script.compactMap {
                if case .removed = $0 { return nil }; if case .same(let s) = $0 { return s }; if case .added(let s) = $0 { return s }; return nil
            } == b)
    }

    @Test func trimmedCompilerErrors() throws {
        let log = try String(contentsOf: fixturesDirectory.appendingPathComponent("swift-build-errors.txt"), encoding: .utf8)
        let d = CompilerDiagnostics(log: log)
        let mine = d.inFile("lessons/04-proxy/main.swift")
        #expect(mine.map { "\($0.line):\($0.column)" } == ["7:16", "4:12"])  // the repeat is dropped
        #expect(d.otherErrors(than: "lessons/04-proxy/main.swift").count == 1)
        let text = d.renderTrimmed(
            learnerFile: "lessons/04-proxy/main.swift", rootPath: "/tmp/pkgerr", fullLog: log,
            command: "swift build --product lesson04", style: .plain)
        #expect(
            text == """
                lessons/04-proxy/main.swift:7:16: error: cannot find 'listen' in scope
                5 | }
                6 | 
                7 | let listener = listen("127.0.0.1:0")
                  |                `- error: cannot find 'listen' in scope
                8 | print(proxy(helper()))
                9 | 

                lessons/04-proxy/main.swift:4:12: error: cannot convert return expression of type 'Int' to return type 'String'
                2 | 
                3 | func proxy(_ conn: Int) -> String {
                4 |     return conn
                  |            `- error: cannot convert return expression of type 'Int' to return type 'String'
                5 | }
                6 | 

                2 errors in lessons/04-proxy/main.swift; 1 other error in other files.

                To see the whole build output: swift build --product lesson04
                """)
        #expect(!text.contains("Helper.swift"))
        #expect(!text.contains("[#no-usage]"))
        // Nothing in the learner's file: the other errors are shown instead.
        let elsewhere = d.renderTrimmed(
            learnerFile: "lessons/05-other/main.swift", rootPath: "/tmp/pkgerr", fullLog: log, command: "c", style: .plain)
        #expect(
            elsewhere.hasPrefix(
                "No errors in lessons/05-other/main.swift, but the build failed elsewhere. The first:\n\nlessons/04-proxy/main.swift:7:16"))
        // No diagnostics at all: the log's tail.
        let linker = CompilerDiagnostics(log: "a\nerror: link command failed").renderTrimmed(
            learnerFile: "x", rootPath: "", fullLog: "a\nerror: link command failed", command: "c", style: .plain)
        #expect(linker.hasPrefix("The build failed. Its last lines:\na\nerror: link command failed"))
    }

    @Test func checkPrinter() {
        let r = sampleResult()
        let plain = CheckPrinter(style: .plain, verbose: false)
        #expect(plain.render(r.checks[0]) == "✓ echoes one line")
        let failing = plain.render(r.checks[1])
        #expect(failing.hasPrefix("✗ serves two <clients> & \"more\"  [0/2]\n  expected \"b\\n\""))
        #expect(failing.contains("\n    [client a] sent \"hi\\n\""))
        #expect(failing.hasSuffix("\n  hint: Use one task per client."))
        #expect(CheckPrinter(style: .plain, verbose: true).render(r.checks[0]) == "✓ echoes one line\n    ok")
        #expect(plain.summary(r) == "✗ 1/2 checks passed · 1/3 points")
        #expect(plain.summary(sampleResult(error: "boom")) == "✗ not graded: boom")
        let table = plain.scoreTable([r, sampleResult(slug: "02-x", number: 2, failing: false)])
        #expect(table.contains("01  Echo server  failing     1/2     1/3"))
        #expect(table.hasSuffix("1/2 lessons passed · 4/6 points"))
    }

    @Test func noColorAndStyle() {
        #expect(Style.detect(environment: ["NO_COLOR": "1"]).color == false)
        #expect(Style.plain.red("x") == "x")
        #expect(Style(color: true).red("x") == "\u{1B}[31mx\u{1B}[0m")
    }
}
