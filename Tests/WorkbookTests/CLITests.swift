@testable import CheckLanguage
@testable import CheckResults
@testable import CheckRuntime
import Foundation
import FoundationXML
@testable import NetlabCommandLine
@testable import ProcessSupervision
import Testing
@testable import Workbook
#if canImport(FoundationXML)
#endif

@Suite("CLI: arguments")
struct CLIArgumentTests {
    func parse(_ args: String) throws(UsageError) -> ArgumentParser.TopLevel {
        try ArgumentParser.parse(args.split(separator: " ").map(String.init), specs: NetlabCommands.all)
    }

    func error(_ args: String) -> UsageError? {
        do { _ = try parse(args); return nil } catch { return error }
    }

    func command(_ args: String) throws -> ParsedCommand {
        guard case .command(let c) = try parse(args) else { throw UsageError("not a command", command: nil) }
        return c
    }

    @Test func valid() throws {
        #expect(try ArgumentParser.parse([], specs: NetlabCommands.all) == .command(ParsedCommand(command: "list")))
        #expect(try parse("--version") == .version)
        #expect(try parse("--help") == .help(nil))
        #expect(try parse("help check") == .help("check"))
        let c = try command("check 4 05 --json out.json --junit=j.xml -v --solution")
        #expect(c.lessons == [4, 5])
        #expect(c.value("json") == "out.json" && c.value("junit") == "j.xml")
        #expect(c.flag("verbose") && c.flag("solution"))
        #expect(try command("check").lessons == [])
        #expect(try command("check 04-proxy").lessons == [4])
        let run = try ArgumentParser.parse(["run", "4", "--", "--upstream", "127.0.0.1:9", "-v"], specs: NetlabCommands.all)
        guard case .command(let r) = run else { Issue.record("not a command"); return }
        #expect(r.lessons == [4] && r.passthrough == ["--upstream", "127.0.0.1:9", "-v"])
        #expect(try command("report a.json b.json --html x.html").files == ["a.json", "b.json"])
        #expect(try command("hint 2 --all").flag("all"))
        #expect(try command("watch").lessons == [])
        #expect(try command("lesson -h").wantsHelp)
        #expect(try command("cert --help").wantsHelp)
    }

    @Test func errors() {
        #expect(error("chek 4")?.message == "unknown command `chek` (did you mean `check`?)")
        #expect(error("4")?.message.hasPrefix("a lesson number needs a command") == true)
        #expect(error("--verbose check")?.message.hasPrefix("unknown option `--verbose` before the command") == true)
        #expect(error("check 4 --jsn x")?.message == "unknown option `--jsn` for `netlab check` (did you mean `--json`?)")
        #expect(error("check 4 --json")?.message == "`--json` needs a value: `--json FILE`")
        #expect(error("check 4 --json a --json b")?.message == "`--json` is given twice")
        #expect(error("check 4 --verbose=yes")?.message == "`--verbose` takes no value")
        #expect(error("check four")?.message == "`four` is not a lesson number; write it like `4` or `04`")
        #expect(error("check -x")?.message == "unknown option `-x` for `netlab check`")
        #expect(error("lesson")?.message == "`netlab lesson` needs a lesson number, like `netlab lesson 4`")
        #expect(error("lesson 1 2")?.message == "`netlab lesson` takes one lesson number, not 2")
        #expect(error("list 3")?.message == "unexpected argument `3`; `netlab list` takes no arguments")
        #expect(error("report")?.message == "`netlab report` needs at least one file")
        #expect(error("hint 1 -- x")?.message == "`netlab hint` takes no `--` arguments")
        #expect(error("help nope")?.message == "unknown command `nope`")
        #expect(error("check 4 --json a")?.command == nil)
        #expect(error("check -1")?.command == "check")
    }

    @Test func commandSplitting() throws {
        #expect(try NetlabCLI.splitCommand("./proxy --name 'a b' \"c d\" e\\ f") == ["./proxy", "--name", "a b", "c d", "e f"])
        #expect(try NetlabCLI.splitCommand("  go run .  ") == ["go", "run", "."])
        #expect(try NetlabCLI.splitCommand("x ''") == ["x", ""])
    }

    @Test func everyCommandHasHelp() {
        for spec in NetlabCommands.all {
            let help = spec.help()
            #expect(help.hasPrefix("usage: netlab"))
            #expect(help.contains("-h, --help"))
        }
    }
}

@Suite("CLI: commands", .timeLimit(.minutes(1)))
struct CLICommandTests {
    @Test func usageErrorsExit2WithUsage() async throws {
        let wb = try TempWorkbook()
        defer { wb.cleanup() }
        let r = await runCLI(["check", "--jsn", "x"], in: wb.root)
        #expect(r.status == 2)
        #expect(r.err.contains("netlab: unknown option `--jsn`"))
        #expect(r.err.contains("usage: netlab check [N…]"))
        let help = await runCLI(["check", "--help"], in: wb.root)
        #expect(help.status == 0 && help.out.hasPrefix("usage: netlab check"))
        let version = await runCLI(["--version"], in: wb.root)
        #expect(version.out == "netlab \(NetlabCLI.version)\n")
    }

    @Test func unknownLessonListsLessons() async throws {
        let wb = try TempWorkbook()
        defer { wb.cleanup() }
        let r = await runCLI(["lesson", "9"], in: wb.root)
        #expect(r.status == 2)
        #expect(r.err.contains("there is no lesson 9. The lessons are:\n  01  Echo server\n  02  Idle timeouts"))
    }

    @Test func outsideAWorkbook() async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("netlab-nowhere-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let r = await runCLI(["list"], in: dir)
        #expect(r.status == 3)
        #expect(r.err.contains("not inside a netlab workbook"))
    }

    @Test func listShowsStatusAndNext() async throws {
        let wb = try TempWorkbook()
        defer { wb.cleanup() }
        try wb.write("lessons/03-nochecks/README.md", "# No checks\n")
        try wb.write("lessons/03-nochecks/main.swift", "\n")
        let fresh = await runCLI([], in: wb.url("lessons/01-echo"))
        #expect(fresh.status == 0)
        #expect(fresh.out.contains("· 01  Echo server    not started"))
        #expect(fresh.out.contains("! 03  No checks      broken: lessons/03-nochecks/checks.netlab is missing"))
        #expect(fresh.out.contains("next: lesson 1 — netlab lesson 1 to read it, netlab check 1 to check it"))
        try StateStore(root: wb.root).update {
            $0.record(sampleResult(failing: false), at: Date())
            $0.record(sampleResult(slug: "02-timeouts", number: 2, failing: true), at: Date())
        }
        let later = await runCLI(["list"], in: wb.root)
        #expect(later.out.contains("✓ 01  Echo server    passed"))
        #expect(later.out.contains("✗ 02  Idle timeouts  failing (1/3 points)"))
        #expect(later.out.contains("next: lesson 2"))
        #expect(later.out.hasPrefix("netlab — 3 lessons · 1 passed"))
    }

    @Test func lessonRendersReadme() async throws {
        let wb = try TempWorkbook()
        defer { wb.cleanup() }
        let r = await runCLI(["lesson", "1"], in: wb.root)
        #expect(r.status == 0)
        #expect(r.out.hasPrefix("Echo server\n═══════════\n"))
        #expect(r.out.contains("A server accepts in a loop"))
        #expect(r.out.contains("    for try await conn in listener {"))
        #expect(r.out.contains("Edit:   lessons/01-echo/main.swift"))
        #expect(r.out.contains("Check:  netlab check 1"))
        #expect(r.out.contains("Hints:  netlab hint 1   (3 hints, one at a time)"))
        #expect(!r.out.contains("Start with the loop"))  // hints are not spoiled
        #expect(r.out.contains("What the checks do"))
        let coloured = await runCLI(["lesson", "1"], in: wb.root, style: Style(color: true))
        #expect(coloured.out.contains("\u{1B}["))
    }

    @Test func hintProgression() async throws {
        let wb = try TempWorkbook()
        defer { wb.cleanup() }
        let first = await runCLI(["hint", "1"], in: wb.root)
        #expect(first.out.hasPrefix("Hint 1 of 3: Start with the loop\nAccept in a `for try await` loop"))
        #expect(first.out.contains("shows hint 2 of 3"))
        let second = await runCLI(["hint", "1"], in: wb.root)
        #expect(second.out.hasPrefix("Hint 2 of 3: One task per client"))
        let third = await runCLI(["hint", "1"], in: wb.root)
        #expect(third.out.hasPrefix("Hint 3 of 3: Half-close"))
        #expect(third.out.contains("That was the last hint"))
        let again = await runCLI(["hint", "1"], in: wb.root)
        #expect(again.out.hasPrefix("Hint 3 of 3: Half-close"))
        #expect(StateStore(root: wb.root).load()["01-echo"].hintsShown == 3)
        let all = await runCLI(["hint", "2", "--all"], in: wb.root)
        #expect(all.out.hasPrefix("Hint 1 of 1: Deadlines"))
        #expect(StateStore(root: wb.root).load()["02-timeouts"].hintsShown == 1)
        try wb.write("lessons/02-timeouts/README.md", "# Idle timeouts\n")
        let none = await runCLI(["hint", "2"], in: wb.root)
        #expect(none.out.hasPrefix("Lesson 2 has no hints."))
    }

    /// Without a grader of its own, the CLI grades with the real check runner: the fake build
    /// makes a program that exits at once, and the runner starts it and says so.
    @Test func checkGradesWithTheCheckRunnerByDefault() async throws {
        let wb = try TempWorkbook()
        defer { wb.cleanup() }
        let r = await runCLI(["check", "1"], in: wb.root, grader: ScriptLessonGrader(), builder: try wb.fakeSwift())
        #expect(r.status == 1, "\(r.out)\n\(r.err)")
        #expect(r.out.contains("exited with status 0 before printing its ready line"), "\(r.out)")
        #expect(!r.out.contains("✓ echoes one line"))
    }

    @Test func checkPassingLessonWithFakeBuild() async throws {
        let wb = try TempWorkbook()
        defer { wb.cleanup() }
        let log = ProgramLog()
        let r = await runCLI(
            ["check", "1", "--json", "out.json", "--junit", "out.xml"], in: wb.root,
            grader: fakeGrader(programs: log), builder: try wb.fakeSwift())
        #expect(r.status == 0, "\(r.out)\n\(r.err)")
        #expect(r.out.contains("Lesson 1 · Echo server  (lessons/01-echo/main.swift)"))
        #expect(r.out.contains("Building lesson01 (lessons/01-echo/main.swift)…"))
        #expect(r.out.contains("\n✓ echoes one line\n✓ serves two clients at once  [2/2]\n✓ 2/2 checks passed · 3/3 points"))
        #expect(r.out.contains("Lesson 1 passed."))
        #expect(log.all.first?.launch.executable.hasSuffix(".fake-bin/lesson01") == true)
        #expect(log.all.first?.kind == .lesson)
        #expect(StateStore(root: wb.root).load().status(of: "01-echo") == .passed)
        let json = try JSONDecoder().decode(StrictResults.self, from: Data(contentsOf: wb.url("out.json")))
        #expect(json.status == "pass" && json.lesson?.slug == "01-echo" && json.lessons == nil)
        #expect(json.tests.count == 2 && json.points == 3)
        let xml = try XMLDocument(contentsOf: wb.url("out.xml"), options: [])
        #expect(xml.rootElement()?.attribute(forName: "tests")?.stringValue == "2")
        // Now the solution may be shown.
        let solution = await runCLI(["solution", "1"], in: wb.root)
        #expect(solution.status == 0)
        #expect(solution.out.contains("--- lessons/01-echo/main.swift\n+++ solutions/01-echo/main.swift\n@@"))
        #expect(solution.out.contains("-// TODO: accept connections and echo every byte back.\n+// Accept connections and echo every byte back."))
    }

    @Test func checkFailingPrintsTranscriptAndHint() async throws {
        let wb = try TempWorkbook()
        defer { wb.cleanup() }
        let grader = fakeGrader { $0 == "serves two clients at once" ? .fail : .pass }
        let r = await runCLI(["check", "1", "--cmd", "./bin/my proxy"], in: wb.root, grader: grader)
        #expect(r.status == 1)
        #expect(r.out.contains("✓ echoes one line\n✗ serves two clients at once  [0/2]\n  expected \"hi\\n\" from client a within 1s"))
        #expect(r.out.contains("\n    [client a] sent \"hi\\n\"\n"))
        // With --cmd, the lesson contract's three checks follow the lesson's two.
        #expect(r.out.contains("✓ contract: refuses a flag it does not know\n"))
        #expect(r.out.contains("✗ 4/5 checks passed · 4/6 points"))
        #expect(!r.out.contains("Building"))
        // --cmd runs never mark progress.
        #expect(StateStore(root: wb.root).load().status(of: "01-echo") == .notStarted)
        let solution = await runCLI(["solution", "1"], in: wb.root)
        #expect(solution.status == 1)
        #expect(solution.out.contains("The solution is shown once lesson 1 passes"))
        let forced = await runCLI(["solution", "1", "--force"], in: wb.root)
        #expect(forced.status == 0 && forced.out.contains("+++ solutions/01-echo/main.swift"))
    }

    @Test func checkAllPrintsScoreTableAndBundle() async throws {
        let wb = try TempWorkbook()
        defer { wb.cleanup() }
        try wb.write("lessons/03-nochecks/README.md", "# No checks\n")
        try wb.write("lessons/03-nochecks/main.swift", "\n")
        let grader = fakeGrader { $0 == "closes an idle client" ? .fail : .pass }
        let r = await runCLI(["check", "--json", "all.json"], in: wb.root, grader: grader, builder: try wb.fakeSwift())
        #expect(r.status == 1)
        #expect(r.out.contains("01  Echo server    passed      2/2     3/3"))
        #expect(r.out.contains("02  Idle timeouts  failing     0/1     0/2"))
        #expect(r.out.contains("03  No checks      error       0/0     0/0"))
        #expect(r.out.contains("1/3 lessons passed · 3/5 points"))
        // Over several lessons a failing check shows its message and hint, not its transcript,
        // and the table says how to see the transcripts.
        #expect(r.out.contains("✗ closes an idle client  [0/2]\n  expected \"hi\\n\" from client a within 1s"))
        #expect(!r.out.contains("[client a] connect 127.0.0.1:40000"))
        #expect(r.out.contains("Transcripts of the failing checks: netlab check N (for example netlab check 2), or --verbose here."))
        let json = try JSONDecoder().decode(StrictResults.self, from: Data(contentsOf: wb.url("all.json")))
        #expect(json.status == "fail")
        #expect(json.lessons?.map(\.status) == ["pass", "fail", "error"])
        #expect(json.lessons?[2].message == "lessons/03-nochecks/checks.netlab is missing, so the lesson cannot be graded")
        #expect(json.tests.map(\.name) == ["01-echo: echoes one line", "01-echo: serves two clients at once", "02-timeouts: closes an idle client"])
    }

    @Test func checkShowsTrimmedBuildErrors() async throws {
        let wb = try TempWorkbook()
        defer { wb.cleanup() }
        let log = """
            [8/12] Emitting module lesson01
            \(wb.root.path)/lessons/01-echo/main.swift:4:13: error: cannot find 'LessonFlags' in scope
            2 |
            3 | // TODO: accept connections and echo every byte back.
            4 | let flags = LessonFlags.parse()
              |             `- error: cannot find 'LessonFlags' in scope
            5 | print("netlab: listening on \\(flags.listen)")

            \(wb.root.path)/Sources/LessonKit/Flags.swift:1:1: error: something else
            """
        let r = await runCLI(["check", "1", "--json", "r.json"], in: wb.root, builder: try wb.fakeSwift(failWith: log))
        #expect(r.status == 1)
        #expect(r.out.contains("✗ lessons/01-echo/main.swift does not build."))
        #expect(r.out.contains("lessons/01-echo/main.swift:4:13: error: cannot find 'LessonFlags' in scope\n2 |\n3 |"))
        #expect(!r.out.contains("something else"))
        #expect(r.out.contains("1 error in lessons/01-echo/main.swift; 1 other error in other files."))
        #expect(r.out.contains("To see the whole build output: swift build --product lesson01"))
        #expect(r.out.contains("✗ not graded: lessons/01-echo/main.swift does not build (`swift build --product lesson01` shows everything)\n"))
        let json = try JSONDecoder().decode(StrictResults.self, from: Data(contentsOf: wb.url("r.json")))
        #expect(json.status == "error")
        #expect(json.message?.contains("lessons/01-echo/main.swift:4:13: error: cannot find 'LessonFlags' in scope") == true)
        let state = StateStore(root: wb.root).load()
        #expect(state.status(of: "01-echo") == .failing)
        #expect(state["01-echo"].lastCheck?.error != nil)
    }

    @Test func checkSolutionBuildsTheSolutionProduct() async throws {
        let wb = try TempWorkbook()
        defer { wb.cleanup() }
        let log = ProgramLog()
        let r = await runCLI(["check", "1", "--solution"], in: wb.root, grader: fakeGrader(programs: log), builder: try wb.fakeSwift())
        #expect(r.status == 0)
        #expect(log.all.first?.launch.executable.hasSuffix("/solution01") == true)
        #expect(log.all.first?.kind == .solution)
        #expect(StateStore(root: wb.root).load().status(of: "01-echo") == .notStarted)
        let none = await runCLI(["check", "2", "--solution"], in: wb.root, builder: try wb.fakeSwift())
        #expect(none.status == 1)
        #expect(none.out.contains("lesson 2 has no reference solution"))
        let both = await runCLI(["check", "1", "--solution", "--cmd", "x"], in: wb.root)
        #expect(both.status == 2)
    }

    @Test func brokenScriptIsAnError() async throws {
        let wb = try TempWorkbook()
        defer { wb.cleanup() }
        try wb.write("lessons/02-timeouts/checks.netlab", "start --listen {lsten}\ncheck \"x\"\n  connect a\n")
        let r = await runCLI(["check", "2", "--cmd", "/bin/true"], in: wb.root)
        #expect(r.status == 1)
        #expect(r.out.contains("✗ not graded: checks.netlab does not parse:\nlessons/02-timeouts/checks.netlab:1:16: error: unknown placeholder"))
    }

    @Test func resetFromPristineCopy() async throws {
        let wb = try TempWorkbook()
        defer { wb.cleanup() }
        let starter = try #require(wb.read("lessons/01-echo/main.swift"))
        _ = await runCLI(["list"], in: wb.root)  // first run keeps the pristine starters
        #expect(wb.read(".netlab/starters/01-echo/main.swift") == starter)
        try wb.write("lessons/01-echo/main.swift", "// my work\n")
        let r = await runCLI(["reset", "1"], in: wb.root)
        #expect(r.status == 0, "\(r.err)")
        #expect(wb.read("lessons/01-echo/main.swift") == starter)
        #expect(r.out.contains("Your version is saved as .netlab/backup/01-echo-"))
        #expect(r.out.contains("is the starter again (from .netlab/starters/01-echo/main.swift)"))
        let backups = try FileManager.default.contentsOfDirectory(atPath: wb.url(".netlab/backup").path)
        #expect(backups.count == 1)
        #expect(wb.read(".netlab/backup/\(backups[0])") == "// my work\n")
        let again = await runCLI(["reset", "1"], in: wb.root)
        #expect(again.out.contains("already the starter"))
    }

    @Test func resetFromGit() async throws {
        let wb = try TempWorkbook()
        defer { wb.cleanup() }
        let git = { (args: [String]) in
            try ProcessRunner.runBlocking("git", ["-C", wb.root.path, "-c", "user.name=t", "-c", "user.email=t@t"] + args, timeout: .seconds(30))
        }
        guard (try? git(["init", "-q"]))?.status == 0 else { return }  // no git here: nothing to test
        _ = try git(["add", "."])
        _ = try git(["commit", "-qm", "starters"])
        try wb.write("lessons/02-timeouts/main.swift", "// mine\n")
        let r = await runCLI(["reset", "2"], in: wb.root)
        #expect(r.status == 0)
        #expect(r.out.contains("(from git (HEAD:lessons/02-timeouts/main.swift))"))
        #expect(wb.read("lessons/02-timeouts/main.swift")?.contains("TODO: close idle clients") == true)
    }

    @Test func reportCommand() async throws {
        let wb = try TempWorkbook()
        defer { wb.cleanup() }
        _ = await runCLI(["check", "1", "--cmd", "x", "--json", "a.json"], in: wb.root)
        _ = await runCLI(["check", "--cmd", "x", "--json", "b.json"], in: wb.root, environment: ["NETLAB_STUDENT": "bob"])
        let r = await runCLI(["report", "a.json", "b.json", "--html", "class.html"], in: wb.root)
        #expect(r.status == 0, "\(r.err)")
        // --cmd runs: each lesson's points include the contract's three.
        #expect(r.out.contains("ada      ✓ 6/6"))
        #expect(r.out.contains("bob      ✓ 6/6  ✓ 5/5   11/11"))
        #expect(wb.read("class.html")?.contains("<td>bob</td>") == true)
        let missing = await runCLI(["report", "nope.json"], in: wb.root)
        #expect(missing.status == 1)
        #expect(missing.err.contains("nope.json: cannot read the file"))
    }

    @Test func certMakesCAAndLocalhostCertificate() async throws {
        let wb = try TempWorkbook()
        defer { wb.cleanup() }
        let r = await runCLI(["cert"], in: wb.root)
        #expect(r.status == 0, "\(r.err)")
        for f in ["ca.pem", "ca-key.pem", "localhost.pem", "localhost-key.pem"] {
            #expect(FileManager.default.fileExists(atPath: wb.url(".netlab/certs/\(f)").path), "\(f)")
        }
        #expect(r.out.contains("openssl s_client -connect 127.0.0.1:PORT -servername localhost -CAfile .netlab/certs/ca.pem"))
        #expect(r.out.contains("curl --cacert .netlab/certs/ca.pem https://localhost:PORT/"))
        let ca = wb.read(".netlab/certs/ca.pem")
        let again = await runCLI(["cert"], in: wb.root)
        #expect(again.out.contains("already exist"))
        #expect(wb.read(".netlab/certs/ca.pem") == ca)
    }
}
