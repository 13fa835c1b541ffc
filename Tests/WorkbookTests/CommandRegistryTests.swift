import Foundation
import Glibc
@testable import NetlabCommandLine
@testable import ProcessSupervision
import Testing
@testable import Workbook

/// The command line as values: every command is a registered type whose spec, help, parsing and
/// dispatch come from the same declarations.
@Suite("CLI: the command registry")
struct CommandRegistryTests {
    /// `line` (split at spaces) parsed into the command it asks for, as type `C`.
    func parse<C: NetlabCommand>(_ line: String, as type: C.Type) throws -> C {
        guard case .run(let command) = try NetlabCommands.parse(line.split(separator: " ").map(String.init)) else {
            throw UsageError("`\(line)` is not a command to run", command: nil)
        }
        guard let typed = command as? C else { throw UsageError("`\(line)` is \(Swift.type(of: command))", command: nil) }
        return typed
    }

    func usageError(_ arguments: [String]) -> UsageError? {
        do { _ = try NetlabCommands.parse(arguments); return nil } catch { return error }
    }

    /// The option names a help text lists (`-v, --verbose`, `--json FILE`), without `--help`.
    static func optionNames(inHelp help: String) -> [String] {
        guard let start = help.range(of: "options:\n") else { return [] }
        return help[start.upperBound...].split(separator: "\n", omittingEmptySubsequences: false)
            .prefix { $0.hasPrefix("  ") }
            .compactMap { line in
                let words = line.split(separator: " ")
                return words.first { $0.hasPrefix("--") }.map { String($0.dropFirst(2)) }
            }
            .filter { $0 != "help" }
    }

    @Test func everyCommandsHelpListsExactlyItsOptions() async throws {
        let wb = try TempWorkbook()
        defer { wb.cleanup() }
        for type in NetlabCommands.registered {
            let spec = type.spec
            #expect(Self.optionNames(inHelp: spec.help()) == spec.options.map(\.name), "\(spec.name)")
            // What `netlab NAME --help` prints is that same text.
            let shown = await runCLI([spec.name, "--help"], in: wb.root)
            #expect(shown.status == 0 && shown.out == spec.help(), "\(spec.name): \(shown.out)")
            for option in spec.options {
                #expect(spec.help().contains("--\(option.name)" + (option.value.map { " \($0)" } ?? "")), "\(spec.name) --\(option.name)")
            }
        }
    }

    @Test func theOverviewListsTheRegisteredCommandsInOrder() throws {
        let names = NetlabCommands.registered.map { $0.name }
        #expect(Set(names).count == names.count)
        #expect(NetlabCommands.all.map(\.name) == names)
        let overview = NetlabCommands.overview(version: "0")
        let section = try #require(overview.range(of: "commands:\n"))
        let listed = overview[section.upperBound...].split(separator: "\n", omittingEmptySubsequences: false)
            .prefix { $0.hasPrefix("  ") }
            .map { String($0.split(separator: " ")[0]) }
        #expect(listed == names)
        // A mistyped command is matched against the same list.
        #expect(usageError(["clas-key", "k"])?.message == "unknown command `clas-key` (did you mean `class-key`?)")
    }

    /// Each option of each command changes the command's typed value: none is declared (and so
    /// shown in `--help`) but never read.
    @Test func everyOptionIsReadIntoTheTypedValue() throws {
        for type in NetlabCommands.registered {
            let spec = type.spec
            let positional: [String] =
                switch spec.positionals {
                case .none, .optionalLesson, .lessons, .optionalName: []
                case .oneLesson: ["1"]
                case .files: spec.name == "class" ? ["serve"] : ["a.json"]
                }
            guard case .run(let plain) = try NetlabCommands.parse([spec.name] + positional) else {
                Issue.record("\(spec.name) does not parse"); continue
            }
            for option in spec.options {
                // A value of the kind the option reads (`bench --rounds R` takes a number).
                let sample = ["R": "2", "D": "1s", "LIST": "1,2", "URL": "http://127.0.0.1:9/"][option.value ?? ""] ?? "x"
                // Options that only make sense together come together (`class-key --student N --from K`).
                let partner = ["student": ["--from", "k"], "from": ["--student", "ada"]][spec.name == "class-key" ? option.name : ""] ?? []
                let line = [spec.name] + positional + ["--\(option.name)"] + (option.value == nil ? [] : [sample]) + partner
                guard case .run(let with) = try NetlabCommands.parse(line) else { Issue.record("\(line) does not parse"); continue }
                #expect(String(describing: with) != String(describing: plain), "\(line) reads nothing of --\(option.name)")
            }
        }
    }

    @Test func parsingYieldsTheTypedCommand() throws {
        let check = try parse("check 4 05 --json out.json --junit=j.xml -v --key k.hex", as: CheckCommand.self)
        #expect(check.lessons == [4, 5] && check.json == "out.json" && check.junit == "j.xml" && check.key == "k.hex")
        #expect(check.verbose && !check.solution && check.cmd == nil)
        let all = try parse("check --solution", as: CheckCommand.self)
        #expect(all.lessons.isEmpty && all.solution && !all.verbose && all.json == nil)
        let other = try NetlabCommands.parse(["check", "3", "--cmd", "./proxy --name 'a b'"])
        guard case .run(let c) = other, let byCmd = c as? CheckCommand else { Issue.record("\(other)"); return }
        #expect(byCmd.cmd?.text == "./proxy --name 'a b'" && byCmd.cmd?.words == ["./proxy", "--name", "a b"])

        let run = try NetlabCommands.parse(["run", "04-proxy", "--cmd", "python3 p.py", "--", "--upstream", "127.0.0.1:9", "-v"])
        guard case .run(let r) = run, let runCommand = r as? RunCommand else { Issue.record("\(run)"); return }
        #expect(runCommand.lesson == 4 && !runCommand.solution && runCommand.cmd?.words == ["python3", "p.py"])
        #expect(runCommand.flags == ["--upstream", "127.0.0.1:9", "-v"])

        let watch = try parse("watch --poll", as: WatchCommand.self)
        #expect(watch.lesson == nil && watch.poll && !watch.verbose)
        #expect(try parse("watch 2 -v", as: WatchCommand.self).lesson == 2)
        #expect(try parse("hint 2 --all", as: HintCommand.self) == parse("hint 02 --all", as: HintCommand.self))
        #expect(try parse("hint 2", as: HintCommand.self).all == false)
        #expect(try parse("solution 3 --force", as: SolutionCommand.self).force)
        #expect(try parse("lesson lessons/01-echo/", as: LessonCommand.self).lesson == 1)
        #expect(try parse("reset 7", as: ResetCommand.self).lesson == 7)
        #expect(try parse("cert --force", as: CertCommand.self).force)
        #expect(try parse("api TCPConn.setReadDeadline", as: APICommand.self).query == "TCPConn.setReadDeadline")
        #expect(try parse("api", as: APICommand.self).query == nil)
        let report = try parse("report a.json b.json --key k --html out.html", as: ReportCommand.self)
        #expect(report.files == ["a.json", "b.json"] && report.key == "k" && report.html == "out.html")
        #expect(try parse("class-key k.hex", as: ClassKeyCommand.self).file == "k.hex")
        // No arguments: the list.
        guard case .run(let list) = try NetlabCommands.parse([]) else { Issue.record("no list"); return }
        #expect(list is ListCommand)
    }

    @Test func helpAndVersionAreNotCommandsToRun() throws {
        guard case .help(let spec) = try NetlabCommands.parse(["check", "--solution", "--cmd", "x", "--help"]) else {
            Issue.record("not help"); return
        }
        #expect(spec?.name == "check")
        guard case .help(.none) = try NetlabCommands.parse(["--help"]) else { Issue.record("not the overview"); return }
        guard case .help(let named) = try NetlabCommands.parse(["help", "class-key"]) else { Issue.record("not help"); return }
        #expect(named?.name == "class-key")
        guard case .version = try NetlabCommands.parse(["-V"]) else { Issue.record("not the version"); return }
    }

    @Test(arguments: [
        (["check", "4", "--jsn", "x"], "unknown option `--jsn` for `netlab check` (did you mean `--json`?)", "check"),
        (["report", "a.json", "--html"], "`--html` needs a value: `--html OUT.html`", "report"),
        (["hint", "four"], "`four` is not a lesson number; write it like `4` or `04`", "hint"),
        (["solution", "1", "2"], "`netlab solution` takes one lesson number, not 2", "solution"),
        (["check", "4", "--solution", "--cmd", "./proxy"], "give either --solution or --cmd, not both", "check"),
        (["run", "4", "--cmd", "./proxy", "--solution"], "give either --solution or --cmd, not both", "run"),
        (["run", "4", "--cmd", " "], "`--cmd` needs a program", "run"),
        (["class-key", "a", "b"], "`netlab class-key` takes one file: where to write the key", "class-key"),
        (["cert", "--all"], "unknown option `--all` for `netlab cert`", "cert"),
    ])
    func usageErrors(_ arguments: [String], _ message: String, _ command: String) {
        let error = usageError(arguments)
        #expect(error?.message == message, "\(arguments)")
        #expect(error?.command == command, "\(arguments)")
    }

    @Test func aBrokenCmdNamesTheCommandItWasGivenTo() {
        let error = usageError(["run", "4", "--cmd", "./proxy 'a b"])
        #expect(error?.command == "run")
        #expect(
            error?.message.hasPrefix("`--cmd` has an unterminated quote: the single quote (') at character 9") == true,
            "\(error?.message ?? "")")
    }
}

/// Ctrl-C is handled in one place: only ``Interrupt`` installs signal handlers, and `netlab
/// run`'s foreground program is stopped through ``ForegroundChild``.
@Suite("CLI: one Ctrl-C mechanism", .timeLimit(.minutes(1)))
struct InterruptMechanismTests {
    @Test func onlyInterruptInstallsSignalHandlers() throws {
        let folder = packageRoot.appendingPathComponent("Sources/NetlabCommandLine")
        let files = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasSuffix(".swift") }
        #expect(files.contains("Interrupt.swift"))
        for file in files where file != "Interrupt.swift" {
            let text = try String(contentsOf: folder.appendingPathComponent(file), encoding: .utf8)
            #expect(text.range(of: #"\b(signal|sigaction)\("#, options: .regularExpression) == nil, "\(file) handles signals itself")
        }
    }

    /// A program started for the test as `netlab run` starts one (ProcessRunner.spawn: no signal
    /// blocked, default actions); stopped and reaped by ``Started/end()``.
    final class Started: Sendable {
        let pid: pid_t

        init(_ script: String) throws {
            pid = try ProcessRunner.spawn(["/bin/sh", "-c", script], stdinNull: true, stdout: nil, stderr: nil, newProcessGroup: true)
        }

        /// The signal that ended it, once it ended within `limit` (reaped); nil if it still runs.
        func signalThatEndedIt(within limit: Duration) async -> Int32? {
            let deadline = ContinuousClock.now + limit
            while ContinuousClock.now < deadline {
                var status: Int32 = 0
                let done = waitpid(pid, &status, WNOHANG)
                if done == pid { return status & 0x7f }
                try? await Task.sleep(for: .milliseconds(50))
            }
            return nil
        }

        /// SIGKILL and reap, should it still run.
        func end() {
            var status: Int32 = 0
            if waitpid(pid, &status, WNOHANG) == 0 {
                kill(pid, SIGKILL)
                waitpid(pid, &status, 0)
            }
        }
    }

    @Test func stopSendsSIGTERM() async throws {
        let program = try Started("exec sleep 30")
        defer { program.end() }
        let child = ForegroundChild(pid: program.pid)
        #expect(!child.stopRequested)
        child.stop()
        #expect(child.stopRequested)
        #expect(await program.signalThatEndedIt(within: .seconds(10)) == SIGTERM)
    }

    @Test func aProgramThatIgnoresSIGTERMGetsSIGKILL() async throws {
        // An ignored signal stays ignored across exec: `sleep` ignores SIGTERM too.
        let program = try Started("trap '' TERM; exec sleep 30")
        defer { program.end() }
        try await Task.sleep(for: .milliseconds(300))  // the trap is set, and sleep runs
        let child = ForegroundChild(pid: program.pid)
        let asked = ContinuousClock.now
        child.stop()
        child.stop()  // a second Ctrl-C changes nothing
        #expect(await program.signalThatEndedIt(within: .seconds(15)) == SIGKILL)
        #expect(ContinuousClock.now - asked >= .seconds(2.5))
    }

    @Test func noSignalAfterTheProgramExited() async throws {
        let program = try Started("exec sleep 30")
        defer { program.end() }
        // Marked exited (as after waitid, before the reaping): stop leaves the pid alone, as it
        // may be another process's once reaped.
        let child = ForegroundChild(pid: program.pid)
        child.markExited()
        child.stop()
        #expect(child.stopRequested)
        #expect(await program.signalThatEndedIt(within: .seconds(3.5)) == nil)
    }
}
