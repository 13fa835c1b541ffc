import Foundation
import Workbook

/// `netlab hint N [--all]`: the lesson's next hint, or all of them.
struct HintCommand: NetlabCommand, Equatable {
    static let name = "hint"
    static let usage = "netlab hint N [--all]"
    static let summary = "Shows the next hint for lesson N (\"hint 2 of 3\"). netlab remembers how many you have seen."
    static let positionals = CommandSpec.Positionals.oneLesson

    enum Option: String, CommandOption {
        case all

        var form: CommandSpec.Option.Form { .flag(help: "show every hint") }
    }

    var lesson: Int
    /// `--all`.
    var all: Bool

    init(_ arguments: CommandArguments<Option>) {
        lesson = arguments.lesson
        all = arguments.flag(.all)
    }

    func run(_ cli: NetlabCLI) async throws -> Int32 { try cli.hint(self, try cli.openWorkbook()) }
}

extension NetlabCLI {
    func hint(_ c: HintCommand, _ w: OpenedWorkbook) throws -> Int32 {
        let lesson = try findLesson(c.lesson, w, command: "hint")
        let hints = lesson.hints
        guard !hints.isEmpty else {
            console.out(
                "Lesson \(lesson.number) has no hints. The README's \"What the checks do\" section says exactly what is tested: \(style.bold("\(commandName) lesson \(lesson.number)"))."
            )
            return ExitCode.success
        }
        let renderer = MarkdownRenderer(style: style, width: 80)
        let state = w.store.load()
        let shown = state[lesson.slug].hintsShown
        if c.all {
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
}
