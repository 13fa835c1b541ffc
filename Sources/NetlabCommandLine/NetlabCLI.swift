import CheckRuntime
import Foundation
import ProcessSupervision
import Workbook

/// The netlab command line. ``main(arguments:)`` makes one with the real console, and calls
/// ``run(_:)``; tests make one with a captured console, a fixture folder and a fake grader.
public struct NetlabCLI: Sendable {
    public static let version = "0.1.0"

    public var console: Console
    public var environment: [String: String]
    public var workingDirectory: URL
    /// How the learner runs netlab, for the commands netlab suggests: `netlab`, or `swift run
    /// netlab` when it was started that way and `netlab` is not a command here.
    public var commandName = "netlab"
    /// Time spent building and checking, printed with NETLAB_TIMINGS=1.
    public let timings = PhaseTimings()
    /// Grades a lesson: the check runner, or in tests a grader that starts no program.
    public var grader: any LessonGrader
    /// Builds lesson programs; tests replace it to avoid running SwiftPM.
    public var makeBuilder: @Sendable (URL) -> LessonBuilder
    /// The clock for state records (tests pin it).
    public var now: @Sendable () -> Date
    /// `watch` returns after this many checks (tests); nil: until q or Ctrl-C.
    public var watchRunLimit: Int?
    /// Where `watch` reads its keys (q, Enter): stdin, or a pipe in tests.
    public var watchInput: Int32 = 0
    /// Whether `watch` takes keys and offers the next lesson; nil: when stdin is a terminal.
    public var watchInteractive: Bool?
    /// Called when Ctrl-C or SIGTERM interrupts `check` or `watch`, before netlab exits with 130:
    /// stops the programs the runner started.
    public var onInterrupt: @Sendable () -> Void = { ServerProcess.killAll() }
    /// Whether `check` and `watch` install the Ctrl-C handler (the real CLI; not tests).
    public var handlesInterrupts = false

    public init(console: Console, environment: [String: String], workingDirectory: URL,
                grader: any LessonGrader = ScriptLessonGrader(),
                makeBuilder: @escaping @Sendable (URL) -> LessonBuilder = { LessonBuilder(root: $0) },
                now: @escaping @Sendable () -> Date = { Date() }) {
        self.console = console
        self.environment = environment
        self.workingDirectory = workingDirectory
        self.grader = grader
        self.makeBuilder = makeBuilder
        self.now = now
    }

    var style: Style { console.style }

    /// Runs one command line (without the program name) and returns the exit status.
    public func run(_ arguments: [String]) async -> Int32 {
        let status = await runCommand(arguments)
        // A command that ends because a signal stopped its work (a build killed by the clean-up)
        // must not exit first with its own status: the signal's status (128 + N) wins.
        if let interrupted = await Interrupt.statusOnceHandled() { return interrupted }
        if environment["NETLAB_TIMINGS"] == "1" { console.err(timings.summary) }
        return status
    }

    private func runCommand(_ arguments: [String]) async -> Int32 {
        let top: ArgumentParser.TopLevel
        do {
            top = try ArgumentParser.parse(arguments, specs: NetlabCommands.all)
        } catch {
            return usageError(error)
        }
        switch top {
        case .version:
            console.out("netlab \(Self.version)")
            return ExitCode.success
        case .help(let name):
            if let name, let spec = NetlabCommands.all.first(where: { $0.name == name }) {
                console.out(spec.help(style: style))
            } else {
                console.out(NetlabCommands.overview(style: style, version: Self.version))
            }
            return ExitCode.success
        case .command(let parsed):
            if parsed.wantsHelp, let spec = NetlabCommands.all.first(where: { $0.name == parsed.command }) {
                console.out(spec.help(style: style))
                return ExitCode.success
            }
            do {
                return try await dispatch(parsed)
            } catch let error as UsageError {
                return usageError(error)
            } catch let error as CLIError {
                console.err("netlab: \(error.message)")
                return error.code
            } catch {
                console.err("netlab: \(error)")
                return ExitCode.failure
            }
        }
    }

    func usageError(_ error: UsageError) -> Int32 {
        console.err("netlab: \(error.message)")
        if let name = error.command, let spec = NetlabCommands.all.first(where: { $0.name == name }) {
            console.err("usage: \(spec.usage)\n(see `netlab \(name) --help`)")
        } else {
            console.err("usage: netlab COMMAND [ARGS…]; commands: \(NetlabCommands.all.map(\.name).joined(separator: ", "))\n(see `netlab --help`)")
        }
        return ExitCode.usage
    }

    func dispatch(_ p: ParsedCommand) async throws -> Int32 {
        switch p.command {
        case "report": return try report(p)
        case "class-key": return try classKey(p)
        default: break
        }
        let workbook = try openWorkbook()
        switch p.command {
        case "list": return list(workbook)
        case "lesson": return try lesson(p, workbook)
        case "check": return try await check(p, workbook)
        case "run": return try await runLesson(p, workbook)
        case "hint": return try hint(p, workbook)
        case "watch": return try await watch(p, workbook)
        case "solution": return try solution(p, workbook)
        case "reset": return try reset(p, workbook)
        case "cert": return try cert(p, workbook)
        case "api": return try api(p, workbook)
        default: throw UsageError("unknown command `\(p.command)`", command: nil)
        }
    }

    // MARK: - The workbook

    struct OpenedWorkbook {
        var root: URL
        var catalog: Catalog
        var store: StateStore
    }

    struct CLIError: Error {
        var message: String
        var code: Int32
    }

    func openWorkbook() throws -> OpenedWorkbook {
        guard let root = PackageRoot.find(from: workingDirectory) else {
            throw CLIError(message: "not inside a netlab workbook: no folder from \(workingDirectory.path) upwards has a Package.swift next to a lessons/ folder. Run netlab inside the netlab package.",
                           code: ExitCode.environment)
        }
        let catalog = Catalog.load(root: root)
        let workbook = OpenedWorkbook(root: root, catalog: catalog, store: StateStore(root: root))
        keepPristineStarters(workbook)
        return workbook
    }

    /// On first sight of a lesson, keeps a copy of its starter in `.netlab/starters/` for `reset`
    /// (used when git cannot give the starter back).
    func keepPristineStarters(_ w: OpenedWorkbook) {
        let fm = FileManager.default
        for lesson in w.catalog.lessons where fm.fileExists(atPath: lesson.mainFile.path) {
            let copy = starterCopy(w, lesson)
            if !fm.fileExists(atPath: copy.path) {
                try? fm.createDirectory(at: copy.deletingLastPathComponent(), withIntermediateDirectories: true)
                try? fm.copyItem(at: lesson.mainFile, to: copy)
            }
        }
    }

    func starterCopy(_ w: OpenedWorkbook, _ lesson: Lesson) -> URL {
        w.root.appendingPathComponent(".netlab/starters/\(lesson.slug)/main.swift")
    }

    /// The lesson with number `n`, or a usage error that lists the lessons.
    func findLesson(_ n: Int, _ w: OpenedWorkbook, command: String) throws -> Lesson {
        if let lesson = w.catalog.lesson(number: n) { return lesson }
        let list = w.catalog.lessons.map { String(format: "  %02d  %@", $0.number, $0.title) }.joined(separator: "\n")
        let message = w.catalog.lessons.isEmpty
            ? "there is no lesson \(n): lessons/ has no lessons yet"
            : "there is no lesson \(n). The lessons are:\n\(list)"
        throw UsageError(message, command: command)
    }

    /// A path from the command line: absolute, or relative to the working directory.
    func resolve(_ path: String) -> URL {
        path.hasPrefix("/") ? URL(fileURLWithPath: path) : workingDirectory.appendingPathComponent(path)
    }

    func relative(_ url: URL, _ w: OpenedWorkbook) -> String {
        let base = w.root.standardizedFileURL.path
        let path = url.standardizedFileURL.path
        return path.hasPrefix(base + "/") ? String(path.dropFirst(base.count + 1)) : path
    }

    func saveState(_ w: OpenedWorkbook, _ change: (inout WorkbookState) -> Void) {
        do {
            try w.store.update(change)
        } catch {
            console.err("netlab: warning: could not save progress to \(relative(w.store.file, w)): \(error.localizedDescription)")
        }
    }

    /// The first lesson, in order, that is not passed and can be graded.
    func nextLesson(_ w: OpenedWorkbook, _ state: WorkbookState) -> Lesson? {
        w.catalog.lessons.first { $0.problems.isEmpty && !state.status(of: $0.slug).isPassed }
    }

    // MARK: - list

    func list(_ w: OpenedWorkbook) -> Int32 {
        let state = w.store.load()
        let lessons = w.catalog.lessons
        guard !lessons.isEmpty else {
            console.out("No lessons yet: \(relative(w.root.appendingPathComponent("lessons"), w))/ has no NN-slug folders.")
            return ExitCode.success
        }
        let passed = lessons.filter { state.status(of: $0.slug).isPassed }.count
        let regressed = lessons.filter { if case .passedEarlier = state.status(of: $0.slug) { true } else { false } }.count
        console.out(style.bold("netlab") + " — \(lessons.count) lesson\(lessons.count == 1 ? "" : "s") · \(passed) passed"
                    + (regressed > 0 ? " · \(regressed) passed earlier, failing now" : "") + "\n")
        let width = lessons.map(\.title.count).max() ?? 0
        for lesson in lessons {
            let number = String(format: "%02d", lesson.number)
            let title = lesson.title.padding(toLength: width)
            if !lesson.problems.isEmpty {
                console.out("  \(style.red("!")) \(number)  \(title)  \(style.red("broken:")) \(lesson.problems[0])")
                for extra in lesson.problems.dropFirst() { console.out("        " + String(repeating: " ", count: width) + "  " + extra) }
                continue
            }
            switch state.status(of: lesson.slug) {
            case .passed:
                console.out("  \(style.passMark) \(number)  \(title)  \(style.green("passed"))")
            case .failing:
                console.out("  \(style.failMark) \(number)  \(title)  \(style.yellow("failing"))\(lastCheckDetail(state, lesson))")
            case .passedEarlier(let passedDate, let failingDate):
                console.out("  \(style.failMark) \(number)  \(title)  \(style.yellow("passed earlier, failing now"))"
                            + "\(lastCheckDetail(state, lesson)): passed \(Self.listDate(passedDate)), failing since \(Self.listDate(failingDate))")
            case .notStarted:
                console.out("  \(style.dim("·")) \(number)  \(title)  \(style.dim("not started"))")
            }
        }
        if !w.catalog.orphanSolutions.isEmpty {
            console.out("\n" + style.dim("solutions without a lesson: \(w.catalog.orphanSolutions.joined(separator: ", "))"))
        }
        console.out()
        if let next = nextLesson(w, state) {
            console.out("next: lesson \(next.number) — \(style.bold("\(commandName) lesson \(next.number)")) to read it, \(style.bold("\(commandName) check \(next.number)")) to check it")
        } else if passed == lessons.count {
            console.out(style.green("Every lesson passed. Well done!"))
        }
        return ExitCode.success
    }

    /// ` (2/5 points)` or ` (did not build)`: the learner's last check of `lesson`.
    func lastCheckDetail(_ state: WorkbookState, _ lesson: Lesson) -> String {
        guard let last = state[lesson.slug].ownCheck else { return "" }
        return last.error != nil ? " (did not build)" : " (\(last.points)/\(last.maxPoints) points)"
    }

    /// A date in `netlab list`: `2027-01-15 09:01`, local time.
    static func listDate(_ date: Date) -> String {
        let f = DateFormatter()
        f.locale = Locale(identifier: "en_US_POSIX")
        f.dateFormat = "yyyy-MM-dd HH:mm"
        return f.string(from: date)
    }

    // MARK: - lesson

    func lesson(_ p: ParsedCommand, _ w: OpenedWorkbook) throws -> Int32 {
        let lesson = try findLesson(p.lessons[0], w, command: "lesson")
        guard let readme = lesson.readmeFile, let text = try? String(contentsOf: readme, encoding: .utf8) else {
            throw CLIError(message: "lesson \(lesson.number) has no README.md (\(relative(lesson.directory, w))/README.md)", code: ExitCode.failure)
        }
        let width = Int(environment["COLUMNS"] ?? "") ?? 80
        console.raw(MarkdownRenderer(style: style, width: min(max(width, 40), 100)).render(LessonReadme.withoutHints(text)))
        console.out()
        console.out(style.dim(String(repeating: "─", count: 40)))
        console.out("Edit:   \(style.bold(relative(lesson.mainFile, w)))")
        console.out("Check:  \(style.bold("\(commandName) check \(lesson.number)"))   (or \(style.bold("\(commandName) watch \(lesson.number)")) to re-check on every save)")
        console.out("Try it: \(style.bold("\(commandName) run \(lesson.number)"))")
        if !lesson.hints.isEmpty {
            console.out("Hints:  \(style.bold("\(commandName) hint \(lesson.number)"))   (\(lesson.hints.count) hint\(lesson.hints.count == 1 ? "" : "s"), one at a time)")
        }
        for problem in lesson.problems { console.out(style.red("Note: ") + problem) }
        return ExitCode.success
    }

    // MARK: - hint

    func hint(_ p: ParsedCommand, _ w: OpenedWorkbook) throws -> Int32 {
        let lesson = try findLesson(p.lessons[0], w, command: "hint")
        let hints = lesson.hints
        guard !hints.isEmpty else {
            console.out("Lesson \(lesson.number) has no hints. The README's \"What the checks do\" section says exactly what is tested: \(style.bold("\(commandName) lesson \(lesson.number)")).")
            return ExitCode.success
        }
        let renderer = MarkdownRenderer(style: style, width: 80)
        let state = w.store.load()
        let shown = state[lesson.slug].hintsShown
        if p.flag("all") {
            for (i, hint) in hints.enumerated() {
                console.out(style.bold(hint.heading(number: i + 1, of: hints.count)))
                console.raw(renderer.render(hint.body))
                console.out()
            }
            saveState(w) { $0[lesson.slug].hintsShown = hints.count }
            return ExitCode.success
        }
        let index = min(shown, hints.count - 1)
        let hint = hints[index]
        console.out(style.bold(hint.heading(number: index + 1, of: hints.count)))
        console.raw(renderer.render(hint.body))
        console.out()
        if index + 1 < hints.count {
            console.out(style.dim("Still stuck? `\(commandName) hint \(lesson.number)` shows hint \(index + 2) of \(hints.count)."))
        } else {
            console.out(style.dim("That was the last hint. `\(commandName) hint \(lesson.number) --all` shows them all again."))
        }
        saveState(w) { $0[lesson.slug].hintsShown = max($0[lesson.slug].hintsShown, index + 1) }
        return ExitCode.success
    }

    // MARK: - solution

    func solution(_ p: ParsedCommand, _ w: OpenedWorkbook) throws -> Int32 {
        let lesson = try findLesson(p.lessons[0], w, command: "solution")
        guard let solutionFile = lesson.solutionFile, let solutionText = try? String(contentsOf: solutionFile, encoding: .utf8) else {
            throw CLIError(message: "lesson \(lesson.number) has no reference solution (solutions/\(lesson.slug)/main.swift)", code: ExitCode.failure)
        }
        let state = w.store.load()
        guard state.hasPassed(lesson.slug) || p.flag("force") else {
            console.out("The solution is shown once lesson \(lesson.number) passes: \(style.bold("\(commandName) check \(lesson.number)")).")
            console.out("Stuck? Try \(style.bold("\(commandName) hint \(lesson.number)")) first, or see it anyway with \(style.bold("\(commandName) solution \(lesson.number) --force")).")
            return ExitCode.failure
        }
        let mine = (try? String(contentsOf: lesson.mainFile, encoding: .utf8)) ?? ""
        let diff = Diff.unified(from: mine, to: solutionText, oldName: relative(lesson.mainFile, w), newName: relative(solutionFile, w), style: style)
        if diff.isEmpty {
            console.out("Your \(relative(lesson.mainFile, w)) is the same as the reference solution.")
        } else {
            console.out("How the reference solution differs from your file (- yours, + solution):\n")
            console.raw(diff)
            console.out("\nThe whole solution: \(relative(solutionFile, w))")
        }
        return ExitCode.success
    }

    // MARK: - reset

    func reset(_ p: ParsedCommand, _ w: OpenedWorkbook) throws -> Int32 {
        let lesson = try findLesson(p.lessons[0], w, command: "reset")
        let path = relative(lesson.mainFile, w)
        var starter: Data?
        var source = ""
        if let out = try? ProcessRunner.runBlocking("git", ["-C", w.root.path, "show", "HEAD:\(path)"], timeout: .seconds(30)),
           out.status == 0, !out.stdout.isEmpty {
            starter = out.stdout
            source = "git (HEAD:\(path))"
        } else if let data = FileManager.default.contents(atPath: starterCopy(w, lesson).path) {
            starter = data
            source = relative(starterCopy(w, lesson), w)
        }
        guard let starter else {
            throw CLIError(message: "cannot find the starter of lesson \(lesson.number): git has no HEAD:\(path) and there is no copy in .netlab/starters/", code: ExitCode.failure)
        }
        let current = FileManager.default.contents(atPath: lesson.mainFile.path)
        if current == starter {
            console.out("\(path) is already the starter; nothing to do.")
            return ExitCode.success
        }
        if let current {
            let formatter = DateFormatter()
            formatter.locale = Locale(identifier: "en_US_POSIX")
            formatter.dateFormat = "yyyyMMdd-HHmmss"
            let backup = w.root.appendingPathComponent(".netlab/backup/\(lesson.slug)-\(formatter.string(from: now())).swift")
            try FileManager.default.createDirectory(at: backup.deletingLastPathComponent(), withIntermediateDirectories: true)
            try current.write(to: backup)
            console.out("Your version is saved as \(style.bold(relative(backup, w))).")
        }
        try starter.write(to: lesson.mainFile)
        console.out("\(path) is the starter again (from \(source)).")
        return ExitCode.success
    }
}
