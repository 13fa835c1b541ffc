import CheckLanguage
import CheckResults
import CheckRuntime
import Foundation
import Workbook

/// The program of `--cmd PROGRAM` (`check`, `run`): the text as given, split into words. Split
/// when the command line is read, so a broken `--cmd` is refused before anything is built or started.
struct CommandProgram: Sendable, Equatable {
    /// The text after `--cmd`, as the learner wrote it (shown in headers and suggested commands).
    var text: String
    /// The program and its arguments.
    var words: [String]

    /// Splits `text` (``NetlabCLI/splitCommand(_:)``); a usage error of `command` when it cannot
    /// be split or names no program.
    init(_ text: String, command: String) throws(UsageError) {
        do {
            words = try NetlabCLI.splitCommand(text)
        } catch {
            throw UsageError(error.message, command: command)
        }
        guard !words.isEmpty else { throw UsageError("`--cmd` needs a program", command: command) }
        self.text = text
    }

    /// The `--cmd` program of `check` or `run` (nil without `--cmd`): refused with `--solution`.
    static func option(_ text: String?, solution: Bool, command: String) throws(UsageError) -> CommandProgram? {
        guard let text else { return nil }
        if solution { throw UsageError("give either --solution or --cmd, not both", command: command) }
        return try CommandProgram(text, command: command)
    }
}

extension NetlabCLI {
    /// Splits `--cmd "./proxy --verbose"` into words: spaces separate, single and double quotes
    /// group, a backslash escapes the next character (not inside single quotes). A quote that
    /// is never closed, or a backslash at the very end, is refused (a usage error naming it):
    /// guessing what was meant would run some other program than the one asked for.
    static func splitCommand(_ text: String) throws(UsageError) -> [String] {
        var words: [String] = []
        var current = ""
        var has = false
        var quote: (character: Character, position: Int)?
        var escape = false
        for (position, c) in text.enumerated() {
            if escape { current.append(c); escape = false; has = true; continue }
            if c == "\\" && quote?.character != "'" { escape = true; continue }
            if let q = quote {
                if c == q.character { quote = nil } else { current.append(c) }
                continue
            }
            if c == "\"" || c == "'" { quote = (c, position + 1); has = true; continue }
            if c == " " || c == "\t" {
                if has { words.append(current); current = ""; has = false }
                continue
            }
            current.append(c)
            has = true
        }
        if let quote {
            let name = quote.character == "'" ? "single" : "double"
            throw UsageError(
                "`--cmd` has an unterminated quote: the \(name) quote (\(quote.character)) at character "
                    + "\(quote.position) of \(Bytes.quoted(Array(text.utf8))) is never closed", command: "check")
        }
        if escape {
            throw UsageError(
                "`--cmd` ends with a backslash that escapes nothing: \(Bytes.quoted(Array(text.utf8)))",
                command: "check")
        }
        if has { words.append(current) }
        return words
    }

    /// The program for `--cmd`: a path with a slash is made absolute from the working directory.
    func programSpec(_ command: CommandProgram) -> ProgramSpec {
        var exe = command.words[0]
        if exe.contains("/"), !exe.hasPrefix("/") {
            exe = resolve(exe).standardizedFileURL.path
        }
        return ProgramSpec(
            executable: exe, arguments: Array(command.words.dropFirst()), kind: .command,
            displayName: command.text)
    }

    /// Builds the program a lesson is graded with, printing trimmed errors when it does not
    /// build. Returns nil (with the reason) on failure.
    func program(for lesson: Lesson, solution: Bool, cmd: CommandProgram?, _ w: OpenedWorkbook) async -> (ProgramSpec?, String?) {
        if let cmd { return (programSpec(cmd), nil) }
        if solution, lesson.solutionDirectory == nil {
            return (nil, "lesson \(lesson.number) has no reference solution (solutions/\(lesson.slug)/main.swift)")
        }
        let product = solution ? lesson.solutionProductName : lesson.productName
        let file = solution ? lesson.solutionFile! : lesson.mainFile
        let display = relative(file, w)
        console.out(style.dim("Building \(product) (\(display))…"))
        // On a terminal, SwiftPM's progress (`[12/80] Compiling …`) is shown on one line.
        let console = self.console
        var progress: (@Sendable (String) -> Void)? = nil
        if console.stdoutIsTTY {
            progress = { (line: String) in console.raw("\r\u{1B}[K" + String(line.prefix(76))) }
        }
        let buildStart = ContinuousClock.now
        let outcome = await makeBuilder(w.root).build(product: product, learnerFile: display, style: style, progress: progress)
        timings.add("build", ContinuousClock.now - buildStart)
        if console.stdoutIsTTY { console.raw("\r\u{1B}[K") }
        if let binary = outcome.binary {
            return (ProgramSpec(executable: binary.path, kind: solution ? .solution : .lesson, displayName: display), nil)
        }
        console.out(style.red("✗ \(display) does not build.") + "\n")
        console.out(outcome.failure ?? "the build failed")
        return (nil, "\(display) does not build (`\(outcome.command)` shows everything):\n\(outcome.plainFailure ?? "")")
    }
}
