import Foundation
import Workbook

/// `netlab solution N [--force]`: the reference solution as a diff against the learner's file.
struct SolutionCommand: NetlabCommand, Equatable {
    static let name = "solution"
    static let usage = "netlab solution N [--force]"
    static let summary = "Shows the reference solution of lesson N as a diff against your file, once the lesson passed."
    static let positionals = CommandSpec.Positionals.oneLesson

    enum Option: String, CommandOption {
        case force

        var form: CommandSpec.Option.Form { .flag(help: "show it even though the lesson has not passed yet") }
    }

    var lesson: Int
    /// `--force`: show it before the lesson passed.
    var force: Bool

    init(_ arguments: CommandArguments<Option>) {
        lesson = arguments.lesson
        force = arguments.flag(.force)
    }

    func run(_ cli: NetlabCLI) async throws -> Int32 { try cli.solution(self, try cli.openWorkbook()) }
}

extension NetlabCLI {
    func solution(_ c: SolutionCommand, _ w: OpenedWorkbook) throws -> Int32 {
        let lesson = try findLesson(c.lesson, w, command: "solution")
        guard let solutionFile = lesson.solutionFile, let solutionText = try? String(contentsOf: solutionFile, encoding: .utf8) else {
            throw CLIError(message: "lesson \(lesson.number) has no reference solution (solutions/\(lesson.slug)/main.swift)", code: ExitCode.failure)
        }
        let state = w.store.load()
        guard state.hasPassed(lesson.slug) || c.force else {
            console.out("The solution is shown once lesson \(lesson.number) passes: \(style.bold("\(commandName) check \(lesson.number)")).")
            console.out(
                "Stuck? Try \(style.bold("\(commandName) hint \(lesson.number)")) first, or see it anyway with \(style.bold("\(commandName) solution \(lesson.number) --force"))."
            )
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
}
