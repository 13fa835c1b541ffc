@testable import CheckLanguage
@testable import CheckRuntime
import Foundation
@testable import NetlabCommandLine
import Testing
@testable import Workbook

@Suite("CLI: the verdict, hints and help", .timeLimit(.minutes(1)))
struct VerdictCLITests {
    @Test func checkShowsTheFirstFailureInFullAndTheRestAsOneLine() async throws {
        let wb = try TempWorkbook()
        defer { wb.cleanup() }
        let r = await runCLI(["check", "1"], in: wb.root, grader: fakeGrader { _ in .fail }, builder: try wb.fakeSwift())
        #expect(r.status == 1)
        // The first failure: its message, transcript and hint.
        #expect(r.out.contains("✗ echoes one line\n  expected \"hi\\n\" from client a within 1s, got nothing"))
        #expect(r.out.contains("\n    [client a] sent \"hi\\n\"\n"))
        #expect(r.out.contains("\n  hint: Copy from the connection to itself.\n"))
        // The second: one line, no transcript, no hint; then how to see it.
        #expect(r.out.contains("\n✗ serves two clients at once  [0/2]\n✗ 0/2 checks passed · 0/3 points\n"))
        #expect(r.out.components(separatedBy: "[client a] sent").count == 2)
        #expect(r.out.contains("1 more check failed (one line each above)"))
        #expect(r.out.contains("`netlab check 1 --verbose` shows every check in full."))
        // --verbose: every failing check in full.
        let v = await runCLI(["check", "1", "--verbose"], in: wb.root, grader: fakeGrader { _ in .fail }, builder: try wb.fakeSwift())
        #expect(v.out.components(separatedBy: "[client a] sent").count == 3)
        #expect(!v.out.contains("more check failed"))
    }

    @Test func aFailureShownAsOneLineGetsNoHint() async throws {
        let wb = try TempWorkbook()
        defer { wb.cleanup() }
        // The check with the hint fails second: its hint is not shown.
        try wb.write(
            "lessons/01-echo/checks.netlab",
            """
            lesson "Echo server"
            start --listen {listen}

            check "serves two clients at once" points 2
              hint "Use one task per client."
              connect a

            check "echoes one line"
              hint "Copy from the connection to itself."
              connect a
            """)
        let r = await runCLI(["check", "1"], in: wb.root, grader: fakeGrader { _ in .fail }, builder: try wb.fakeSwift())
        #expect(r.out.contains("hint: Use one task per client."))
        #expect(!r.out.contains("Copy from the connection to itself."))
    }

    @Test func hintHeadingsAreNotDoubled() async throws {
        let wb = try TempWorkbook()
        defer { wb.cleanup() }
        try wb.write("lessons/02-timeouts/README.md", "# Idle timeouts\n\nText.\n\n## Hints\n\n### Hint 1\n\nFirst.\n\n### Hint 2\n\nSecond.\n")
        let first = await runCLI(["hint", "2"], in: wb.root)
        #expect(first.out.hasPrefix("Hint 1 of 2\nFirst."))
        let all = await runCLI(["hint", "2", "--all"], in: wb.root)
        #expect(all.out.contains("Hint 2 of 2\nSecond."))
        #expect(!all.out.contains(": Hint"))
        // A heading that says something is kept.
        #expect(LessonReadme.Hint(title: "Start with the loop", body: "").heading(number: 1, of: 3) == "Hint 1 of 3: Start with the loop")
        #expect(LessonReadme.Hint(title: "Hints about hints", body: "").heading(number: 1, of: 1) == "Hint 1 of 1: Hints about hints")
        #expect(LessonReadme.Hint(title: "hint #2:", body: "").heading(number: 2, of: 2) == "Hint 2 of 2")
        // Every hint of every real lesson.
        for lesson in Catalog.load(root: packageRoot).lessons {
            for (i, hint) in lesson.hints.enumerated() {
                let heading = hint.heading(number: i + 1, of: lesson.hints.count)
                #expect(!heading.contains(": Hint"), "lesson \(lesson.number): \(heading)")
            }
        }
    }

    @Test(arguments: NetlabCommands.all.map(\.name))
    func everyCommandsHelpHasADescription(_ name: String) async throws {
        let wb = try TempWorkbook()
        defer { wb.cleanup() }
        for args in [[name, "--help"], [name, "-h"], ["help", name]] {
            let r = await runCLI(args, in: wb.root)
            #expect(r.status == 0, "\(args)")
            let lines = r.out.components(separatedBy: "\n")
            #expect(lines.first?.hasPrefix("usage: netlab") == true, "\(args)")
            // The description: the paragraph after the usage line, a sentence or more.
            let description = lines.dropFirst().drop { $0.isEmpty }.first ?? ""
            #expect(description.count >= 20 && !description.hasPrefix("options:"), "\(args): \(r.out)")
            #expect(description == NetlabCommands.all.first { $0.name == name }?.summary)
        }
    }
}
