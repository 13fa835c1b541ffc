import Foundation
import Workbook

/// `netlab lesson N`: the lesson's README in the terminal, and what to do next.
struct LessonCommand: NetlabCommand, Equatable {
    static let name = "lesson"
    static let usage = "netlab lesson N"
    static let summary = "Shows lesson N's README in the terminal, the file to edit, and the command that checks it."
    static let positionals = CommandSpec.Positionals.oneLesson

    var lesson: Int

    init(_ arguments: CommandArguments<NoOption>) { lesson = arguments.lesson }

    func run(_ cli: NetlabCLI) async throws -> Int32 { try cli.lesson(self, try cli.openWorkbook()) }
}

extension NetlabCLI {
    func lesson(_ c: LessonCommand, _ w: OpenedWorkbook) throws -> Int32 {
        let lesson = try findLesson(c.lesson, w, command: "lesson")
        guard let readme = lesson.readmeFile, let text = try? String(contentsOf: readme, encoding: .utf8) else {
            throw CLIError(message: "lesson \(lesson.number) has no README.md (\(relative(lesson.directory, w))/README.md)", code: ExitCode.failure)
        }
        let width = Int(environment["COLUMNS"] ?? "") ?? 80
        console.raw(MarkdownRenderer(style: style, width: min(max(width, 40), 100)).render(LessonReadme.withoutHints(text)))
        console.out()
        console.out(style.dim(String(repeating: "─", count: 40)))
        console.out("Edit:   \(style.bold(relative(lesson.mainFile, w)))")
        console.out(
            "Check:  \(style.bold("\(commandName) check \(lesson.number)"))   (or \(style.bold("\(commandName) watch \(lesson.number)")) to re-check on every save)"
        )
        console.out("Try it: \(style.bold("\(commandName) run \(lesson.number)"))")
        if !lesson.hints.isEmpty {
            console.out(
                "Hints:  \(style.bold("\(commandName) hint \(lesson.number)"))   (\(lesson.hints.count) hint\(lesson.hints.count == 1 ? "" : "s"), one at a time)"
            )
        }
        for problem in lesson.problems { console.out(style.red("Note: ") + problem) }
        return ExitCode.success
    }
}
