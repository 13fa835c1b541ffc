import Foundation
import ProcessSupervision
import Workbook

/// `netlab reset N`: the lesson's starter file back, the learner's version kept.
struct ResetCommand: NetlabCommand, Equatable {
    static let name = "reset"
    static let usage = "netlab reset N"
    static let summary = "Puts lesson N's starter file back. Your version is kept in .netlab/backup/."
    static let positionals = CommandSpec.Positionals.oneLesson

    var lesson: Int

    init(_ arguments: CommandArguments<NoOption>) { lesson = arguments.lesson }

    func run(_ cli: NetlabCLI) async throws -> Int32 { try cli.reset(self, try cli.openWorkbook()) }
}

extension NetlabCLI {
    func reset(_ c: ResetCommand, _ w: OpenedWorkbook) throws -> Int32 {
        let lesson = try findLesson(c.lesson, w, command: "reset")
        let path = relative(lesson.mainFile, w)
        var starter: Data?
        var source = ""
        if let out = try? ProcessRunner.runBlocking("git", ["-C", w.root.path, "show", "HEAD:\(path)"], timeout: .seconds(30)),
            out.status == 0, !out.stdout.isEmpty
        {
            starter = out.stdout
            source = "git (HEAD:\(path))"
        } else if let data = FileManager.default.contents(atPath: starterCopy(w, lesson).path) {
            starter = data
            source = relative(starterCopy(w, lesson), w)
        }
        guard let starter else {
            throw CLIError(
                message: "cannot find the starter of lesson \(lesson.number): git has no HEAD:\(path) and there is no copy in .netlab/starters/",
                code: ExitCode.failure)
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
