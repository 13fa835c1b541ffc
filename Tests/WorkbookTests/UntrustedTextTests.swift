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

/// What a hostile program or results file tries to put on the instructor's or learner's
/// terminal: clear the screen, write the clipboard (OSC 52), set the title (OSC 0), overwrite a
/// line with a bare CR or backspaces, an 8-bit CSI, and bidi overrides that reorder text.
let hostileSequences: [String] = [
    "\u{1B}[2J\u{1B}[H", "\u{1B}]52;c;ZWNobyBwd25lZA==\u{07}", "\u{1B}]0;pwned\u{07}", "evil\r✓ all checks passed",
    "abc\u{08}\u{08}\u{08}xyz", "\u{9B}31mred", "\u{85}next", "\u{202E}gnp.exe", "\u{2066}isolate\u{2069}", "nul\u{0}del\u{7F}",
]

/// The raw characters no output of netlab may carry from untrusted text, checked independently
/// of ``UntrustedText`` (which would make the test agree with itself). Newlines (and tabs) are
/// allowed where text has several lines.
func rawControls(in text: String, multiline: Bool = true) -> [String] {
    text.unicodeScalars.compactMap { s -> String? in
        let v = s.value
        if multiline, s == "\n" || s == "\t" { return nil }
        let bad =
            v < 0x20 || v == 0x7F || (0x80...0x9F).contains(v) || (0x202A...0x202E).contains(v)
            || (0x2066...0x2069).contains(v) || v == 0x200E || v == 0x200F || v == 0x061C
        return bad ? String(format: "U+%04X", v) : nil
    }
}

@Suite("Untrusted text: every control character escaped")
struct UntrustedTextTests {
    @Test func escapeForms() {
        #expect(UntrustedText.escaped("\u{1B}[2J") == "\\x1b[2J")
        #expect(UntrustedText.escaped("\u{1B}]52;c;QQ==\u{07}") == "\\x1b]52;c;QQ==\\x07")
        #expect(UntrustedText.escaped("a\rb\u{08}") == "a\\rb\\x08")
        #expect(UntrustedText.escaped("\u{9B}\u{202E}\u{2069}\u{2028}\u{FFFE}") == "\\u{9b}\\u{202e}\\u{2069}\\u{2028}\\u{fffe}")
        #expect(UntrustedText.escaped("one\ntwo\tx") == "one\\ntwo\\tx")
        #expect(UntrustedText.escaped("one\ntwo\tx", multiline: true) == "one\ntwo\tx")
        // "\r\n" is one Character in Swift; the CR must not slip through with it.
        #expect(UntrustedText.escaped("a\r\nb", multiline: true) == "a\\r\nb")
        // Ordinary text, accents, emoji and right-to-left letters are left alone.
        let fine = "héllo ✓ 日本 שלום 🙂 \\x1b"
        #expect(UntrustedText.escaped(fine) == fine)
        for s in hostileSequences {
            let once = UntrustedText.escaped(s, multiline: true)
            #expect(rawControls(in: once).isEmpty, "\(once.debugDescription)")
            #expect(UntrustedText.escaped(once, multiline: true) == once)  // idempotent
        }
    }

    @Test func bytesInTranscriptsEscapeC1AndBidi() {
        // Received bytes that are valid UTF-8 used to keep U+009B and U+202E raw.
        #expect(Bytes.quoted(Array("a\u{9B}b\u{202E}c\u{1B}".utf8)) == "\"a\\u{9b}b\\u{202e}c\\x1b\"")
        #expect(Bytes.quoted([0x41, 0xFF, 0x1B]) == "\"A\\xff\\x1b\"")  // not UTF-8: bytes
    }

    /// A check whose result holds every hostile sequence, as a grader written without care would
    /// hand it over.
    func hostileCheck() -> CheckResult {
        let all = hostileSequences.joined(separator: "\n")
        return CheckResult(
            name: "name \u{1B}]0;title\u{07}\r\u{202E}", status: .fail, points: 0, maxPoints: 2,
            message: "expected \"hi\" \u{1B}[2J\r✓ all checks passed", transcript: all,
            hint: "hint \u{9B}0m", location: "checks.netlab:1:1", index: 1, duration: .milliseconds(5))
    }

    @Test func checkPrinterShowsNoRawControl() {
        let check = hostileCheck()
        let result = LessonResult(number: 1, slug: "01-echo", title: "Echo \u{1B}[2J", error: nil, checks: [check])
        let printer = CheckPrinter(style: .plain, verbose: true)
        let text = printer.render(check) + "\n" + printer.summary(result) + "\n" + printer.scoreTable([result])
        #expect(rawControls(in: text).isEmpty, "\(text.debugDescription)")
        #expect(text.contains("\\x1b]52;c;ZWNobyBwd25lZA==\\x07"))
        #expect(text.contains("evil\\r✓ all checks passed"))
        let error = LessonResult(number: 1, slug: "01-echo", title: "E", error: "build \u{1B}]0;x\u{07}\nline 2", checks: [])
        #expect(rawControls(in: printer.summary(error)).isEmpty)
    }

    @Test func junitStaysWellFormedAndVisible() throws {
        let result = LessonResult(number: 1, slug: "01-echo", title: "Echo", error: nil, checks: [hostileCheck()])
        let xml = JUnitXML.render([result])
        #expect(rawControls(in: xml).isEmpty, "\(xml.debugDescription)")
        let doc = try XMLDocument(xmlString: xml, options: [])
        let out = try #require(try doc.nodes(forXPath: "//system-out").first?.stringValue)
        #expect(out.contains("\\x1b[2J") && out.contains("\\u{202e}gnp.exe") && out.contains("\\u{9b}31m"))
        #expect(rawControls(in: out).isEmpty)  // the entities decode to visible text, not to a CR
    }

    @Test func jsonResultsHoldNoControlCharacters() throws {
        let result = LessonResult(number: 1, slug: "01-echo", title: "Echo", error: nil, checks: [hostileCheck()])
        let doc = ResultsJSON.document(for: result, scriptLines: [], student: "eve\u{1B}[2J", date: nil)
        let data = try ResultsJSON.encode(doc)
        let back = try JSONDecoder().decode(ResultsJSON.ResultsDocument.self, from: data)
        let texts = [back.student ?? "", back.tests[0].name, back.tests[0].message ?? "", back.tests[0].output ?? ""]
        for t in texts { #expect(rawControls(in: t).isEmpty, "\(t.debugDescription)") }
        #expect(back.tests[0].output?.contains("\\x1b]0;pwned\\x07") == true)
        #expect(try JSONSerialization.jsonObject(with: data) is [String: Any])
        // Escaping happens before the 500-character cut: a transcript of ESCs stays within it.
        var long = hostileCheck()
        long.transcript = String(repeating: "\u{1B}", count: 490)
        let cut = ResultsJSON.document(
            for: LessonResult(number: 1, slug: "01-echo", title: "E", error: nil, checks: [long]),
            scriptLines: [], student: nil, date: nil)
        #expect((cut.tests[0].output?.count ?? 0) <= ResultsJSON.outputLimit)
        #expect(rawControls(in: cut.tests[0].output ?? "").isEmpty)
    }

    @Test func reportTableEscapesAHostileStudentName() throws {
        let hostile = "eve\u{1B}]0;owned\u{07}\u{1B}[2J\r\u{202E}zyx\u{9B}"
        let doc = ResultsJSON.ResultsDocument(
            status: "pass", message: nil, tests: [], points: 3, maxPoints: 3,
            lesson: .init(number: 1, slug: "01-echo", title: "Echo \u{202E}"),
            student: hostile, generatedAt: nil)
        let report = ClassReport(files: [("x\u{1B}[2J.json", try ResultsJSON.encode(doc)), ("bad\u{07}.json", Data("{".utf8))])
        let text = report.renderText()
        #expect(rawControls(in: text).isEmpty, "\(text.debugDescription)")
        #expect(text.contains("eve\\x1b]0;owned\\x07\\x1b[2J\\r\\u{202e}zyx\\u{9b}  ✓ 3/3"))
        #expect(text.contains("bad\\x07.json: not a netlab results file"))
        let html = report.renderHTML(generated: Date(timeIntervalSince1970: 0))
        #expect(rawControls(in: html).isEmpty)
    }

    @Test("a program's hostile stderr and stdout reach the transcript escaped")
    func hostileProgramOutput() async throws {
        // printf's octal escapes: ESC is \033, U+009B is \302\233, U+202E is \342\200\256.
        let lines = #"""
            printf 'clear \033[2J\033[H\n' >&2
            printf 'clip \033]52;c;ZWNobyBwd25lZA==\007\n' >&2
            printf 'title \033]0;pwned\007\n' >&2
            printf 'fake\r\342\234\223 all checks passed\n' >&2
            printf 'back\010\010\010\n' >&2
            printf 'csi \302\23331m and bidi \342\200\256gnp.exe\n' >&2
            printf 'stdout \033[31mred\n'
            exit 3
            """#
        let r = try await runOne(
            """
            timeout 5s
            start --listen {listen}
            check "hostile"
              connect a
            """, program: ProgramLaunch(executable: "/bin/sh", arguments: ["-c", lines, "sh"]))
        #expect(r.status != .pass)
        let everything = r.name + "\n" + (r.message ?? "") + "\n" + r.transcript
        #expect(rawControls(in: everything).isEmpty, "\(everything.debugDescription)")
        #expect(r.transcript.contains("clear \\x1b[2J\\x1b[H"), "\(r.transcript)")
        #expect(r.transcript.contains("clip \\x1b]52;c;ZWNobyBwd25lZA==\\x07"))
        #expect(r.transcript.contains("title \\x1b]0;pwned\\x07"))
        #expect(r.transcript.contains("fake\\r✓ all checks passed"))
        #expect(r.transcript.contains("back\\x08\\x08\\x08"))
        #expect(r.transcript.contains("csi \\u{9b}31m and bidi \\u{202e}gnp.exe"))
        #expect(r.transcript.contains("stdout \\x1b[31mred"))
        let printed = CheckPrinter(style: .plain, verbose: true).render(r)
        #expect(rawControls(in: printed).isEmpty)
    }
}
