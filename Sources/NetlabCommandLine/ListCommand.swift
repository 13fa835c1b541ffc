import Foundation
import Workbook

/// `netlab` or `netlab list`: the lessons with their status, and the next one to do.
struct ListCommand: NetlabCommand, Equatable {
    static let name = "list"
    static let usage = "netlab [list]"
    static let summary = "Lists the lessons with their status (passed, failing, passed earlier but failing now, not started) and the next one to do."
    static let details =
        "The status is your own program's last check (`--solution` and `--cmd` runs do not count). A lesson that passed once"
        + " and fails now (after `netlab reset`, or an edit that broke it) says so, with the date of the last pass and of the failing check."

    init(_ arguments: CommandArguments<NoOption>) {}

    func run(_ cli: NetlabCLI) async throws -> Int32 { cli.list(try cli.openWorkbook()) }
}

extension NetlabCLI {
    func list(_ w: OpenedWorkbook) -> Int32 {
        let state = w.store.load()
        let lessons = w.catalog.lessons
        guard !lessons.isEmpty else {
            console.out("No lessons yet: \(relative(w.root.appendingPathComponent("lessons"), w))/ has no NN-slug folders.")
            return ExitCode.success
        }
        let passed = lessons.filter { state.status(of: $0.slug).isPassed }.count
        let regressed = lessons.filter { if case .passedEarlier = state.status(of: $0.slug) { true } else { false } }.count
        console.out(
            style.bold("netlab") + " — \(lessons.count) lesson\(lessons.count == 1 ? "" : "s") · \(passed) passed"
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
                console.out(
                    "  \(style.failMark) \(number)  \(title)  \(style.yellow("passed earlier, failing now"))"
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
            console.out(
                "next: lesson \(next.number) — \(style.bold("\(commandName) lesson \(next.number)")) to read it, \(style.bold("\(commandName) check \(next.number)")) to check it"
            )
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
}
