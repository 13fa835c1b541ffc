import CheckLanguage
import CheckResults
import CheckRuntime
import Foundation
import ProcessSupervision
import Synchronization
import Workbook

extension NetlabCLI {
    /// Builds (unless `--cmd`) and grades one lesson, printing as it goes, and records the result.
    func grade(
        _ lesson: Lesson, _ w: OpenedWorkbook, solution: Bool, cmd: CommandProgram?, verbose: Bool,
        brief: Bool = false
    ) async -> LessonResult {
        let runCommand = "\(commandName) run \(lesson.number)" + (cmd.map { " --cmd \(shellQuoted($0.text))" } ?? (solution ? " --solution" : ""))
        let printer = CheckPrinter(style: style, verbose: verbose, brief: brief, runCommand: runCommand)
        let verdicts = VerdictStream(printer: printer)
        let shownFile = cmd?.text ?? relative(solution ? (lesson.solutionFile ?? lesson.mainFile) : lesson.mainFile, w)
        console.out(printer.header(lesson: lesson, program: shownFile))
        func failed(_ error: String) -> LessonResult {
            LessonResult(number: lesson.number, slug: lesson.slug, title: lesson.title, error: error, checks: [])
        }
        var result: LessonResult
        var buildFailed = false
        if !lesson.problems.isEmpty {
            result = failed(lesson.problems.joined(separator: "; "))
        } else {
            let (program, why) = await program(for: lesson, solution: solution, cmd: cmd, w)
            if let program {
                let options = RunOptions(verbose: verbose)
                let console = self.console
                let progress = CheckProgress(
                    names: Self.checkNames(lesson, command: program.kind == .command),
                    enabled: console.stdoutIsTTY, style: style
                ) { console.raw($0) }
                let position = Mutex(0)
                let checksStart = ContinuousClock.now
                progress.start()
                result = await grader.grade(lesson: lesson, program: program, options: options) { check in
                    let text = verdicts.render(check)
                    let index = position.withLock { p in
                        defer { p += 1 }; return p
                    }
                    progress.finished(index, print: text)
                }
                progress.stop()
                timings.add("checks", ContinuousClock.now - checksStart)
            } else {
                result = failed(why ?? "the program could not be built")
                buildFailed = true
            }
        }
        console.out(printer.summary(result, detailsShown: buildFailed))
        if !brief, let note = verdicts.closingNote(command: "\(commandName) check \(lesson.number)") { console.out(note) }
        let date = now()
        saveState(w) { $0.record(result, at: date, other: solution || cmd != nil) }
        return result
    }

    /// The names of the lesson's checks in the order they run (with the lesson contract's
    /// checks after them for a `--cmd` program), for the "running" line; empty when the
    /// script cannot be read or parsed (the grader reports why).
    static func checkNames(_ lesson: Lesson, command: Bool) -> [String] {
        guard let file = lesson.checksFile, let source = try? String(contentsOf: file, encoding: .utf8),
            let script = try? CheckScript.parse(source: source, file: file.lastPathComponent)
        else { return [] }
        var names = script.checks.map(\.name)
        if command, let contract = ContractChecks.script(for: script),
            let parsed = try? CheckScript.parse(source: contract, file: file.lastPathComponent)
        {
            names += parsed.checks.map(\.name)
        }
        return names
    }
}
