import CheckRuntime
import Foundation
import Glibc
import ProcessSupervision
import Workbook

/// `netlab watch [N]`: checks a lesson on every save; Enter goes on to the next once it passes.
struct WatchCommand: NetlabCommand, Equatable {
    static let name = "watch"
    static let usage = "netlab watch [N] [--verbose]"
    static let summary =
        "Checks lesson N (default: the next lesson to do) every time you save its files. When it passes, Enter goes on to the next lesson. Press q or Ctrl-C to stop."
    static let positionals = CommandSpec.Positionals.optionalLesson

    enum Option: String, CommandOption {
        case verbose, poll

        var form: CommandSpec.Option.Form {
            switch self {
            case .verbose: .flag(short: "v", help: "show every check in full: unfolded transcripts, passing checks too")
            case .poll: .flag(help: "poll the files every 500 ms instead of using inotify")
            }
        }
    }

    /// The lesson to watch first; nil: the next lesson to do.
    var lesson: Int?
    /// `--verbose`.
    var verbose: Bool
    /// `--poll`: poll instead of inotify.
    var poll: Bool

    init(_ arguments: CommandArguments<Option>) {
        lesson = arguments.lessons.first
        verbose = arguments.flag(.verbose)
        poll = arguments.flag(.poll)
    }

    func run(_ cli: NetlabCLI) async throws -> Int32 { try await cli.watch(self, try cli.openWorkbook()) }
}

/// The terminal settings to restore when `watch` ends (it turns off line buffering and echo so a
/// single `q` quits), and the descriptor they belong to.
nonisolated(unsafe) private var savedTerminal: termios?
nonisolated(unsafe) private var savedTerminalFD: Int32 = 0

/// Restores the terminal if `watch` changed it (safe to call any time).
func restoreTerminalAfterWatch() { restoreTerminal() }

private func restoreTerminal() {
    if var t = savedTerminal { tcsetattr(savedTerminalFD, TCSANOW, &t) }
}

extension NetlabCLI {
    /// How watching one lesson ended.
    enum WatchEnd {
        /// q, Ctrl-D, or the run limit (tests).
        case quit
        /// The lesson passed and the learner pressed Enter: watch this one next.
        case next(Lesson)
    }

    /// `netlab watch [N]`: checks the lesson on every save. When it passes, on a terminal, Enter
    /// goes on to the next lesson (rustlings' loop); without one, netlab says which is next and
    /// keeps watching the lesson that passed.
    func watch(_ c: WatchCommand, _ w: OpenedWorkbook) async throws -> Int32 {
        var lesson: Lesson
        if let n = c.lesson {
            lesson = try findLesson(n, w, command: "watch")
        } else if let next = nextLesson(w, w.store.load()) {
            lesson = next
        } else {
            throw CLIError(
                message: "every lesson has passed; give a lesson number to watch one anyway: `\(commandName) watch N`", code: ExitCode.failure)
        }
        let interactive = watchInteractive ?? console.stdinIsTTY
        installInterruptHandler()
        if interactive { enterKeyMode() }
        defer { if interactive { restoreTerminal() } }
        _ = try? ensureCertificates(w)
        var runs = 0
        var first = true
        while true {
            if !first {
                console.out()
                console.out(style.bold("Lesson \(lesson.number) · \(lesson.title)"))
                console.out(
                    "Edit \(style.bold(relative(lesson.mainFile, w))); read it with \(style.bold("\(commandName) lesson \(lesson.number)"))"
                        + (lesson.hints.isEmpty ? "." : ", hints with \(style.bold("\(commandName) hint \(lesson.number)"))."))
            }
            first = false
            switch await watch(lesson, c, w, interactive: interactive, runs: &runs) {
            case .quit: return ExitCode.success
            case .next(let next): lesson = next
            }
        }
    }

    /// Watches one lesson until q, Ctrl-D, the run limit, or Enter after it passed.
    func watch(_ lesson: Lesson, _ c: WatchCommand, _ w: OpenedWorkbook, interactive: Bool, runs: inout Int) async -> WatchEnd {
        let watcher = FileWatcher(directory: lesson.directory, forcePolling: c.poll)
        let how = watcher.usesInotify ? "inotify" : "polling every 500 ms"
        console.out("Watching \(relative(lesson.directory, w))/ (\(how)). Save \(relative(lesson.mainFile, w)) to check it again.")
        console.out(style.dim(interactive ? "Press q or Ctrl-C to stop." : "Ctrl-C stops."))
        let input = watchInput
        var debouncer = Debouncer()
        var inputOpen = interactive
        var pending: [String] = []
        /// The lesson offered once this one passed (Enter goes on to it).
        var offered: Lesson?

        func runOnce(reason: String) async {
            debouncer.startRun()
            offered = nil
            console.out()
            console.out(style.dim("── \(reason) · \(Self.clockTime(now())) ──"))
            let result = await grade(lesson, w, solution: false, cmd: nil, verbose: c.verbose)
            if result.passed {
                let next = w.catalog.lessons.first { $0.number > lesson.number && $0.problems.isEmpty }
                console.out(passedLine(lesson, next: next, interactive: interactive))
                if interactive { offered = next }
            }
            // Saves made while the check ran are ignored: drain them.
            _ = await offPool { watcher.waitForChanges(timeout: .zero) }
            debouncer.finishRun()
            pending = []
            runs += 1
            if let limit = watchRunLimit, runs >= limit { return }
            if offered == nil { console.out(style.dim(interactive ? "Watching… (q quits)" : "Watching…")) }
        }

        await runOnce(reason: "first check")
        while watchRunLimit.map({ runs < $0 }) ?? true {
            let clock = ContinuousClock()
            let wait = debouncer.waitTime(at: clock.now) ?? .seconds(1)
            let extra: Int32? = inputOpen ? input : nil
            let (changed, inputReady) = await offPool { watcher.waitForChanges(timeout: wait, extraFD: extra) }
            if inputReady {
                let (n, byte) = await offPool { () -> (Int, UInt8) in
                    var byte: UInt8 = 0
                    return (read(input, &byte, 1), byte)
                }
                if n <= 0 {
                    inputOpen = false
                } else if byte == UInt8(ascii: "q") || byte == UInt8(ascii: "Q") || byte == 3 || byte == 4 {
                    console.out("Stopped watching.")
                    return .quit
                } else if byte == UInt8(ascii: "\n") || byte == UInt8(ascii: "\r"), let next = offered {
                    return .next(next)
                } else if byte == UInt8(ascii: "\n") || byte == UInt8(ascii: "\r") || byte == UInt8(ascii: "c") {
                    await runOnce(reason: "check on request")
                    continue
                }
            }
            if !changed.isEmpty {
                debouncer.changed(at: clock.now)
                for name in changed where !pending.contains(name) { pending.append(name) }
            }
            if debouncer.isDue(at: clock.now) {
                await runOnce(reason: "changed: \(pending.isEmpty ? "files" : pending.joined(separator: ", "))")
            }
        }
        return .quit
    }

    /// What `watch` says when `lesson` passes: on a terminal, how to go on; otherwise, which lesson
    /// is next and that it keeps watching this one.
    func passedLine(_ lesson: Lesson, next: Lesson?, interactive: Bool) -> String {
        let passed = style.green("Lesson \(lesson.number) passed.")
        guard let next else {
            return passed + " That was the last lesson. \(style.bold("\(commandName)")) shows them all; q quits."
        }
        if interactive {
            return passed + " Press " + style.bold("Enter") + " to go on to lesson \(next.number) (\(next.title)), " + style.bold("q") + " to quit."
        }
        return passed + " Next: lesson \(next.number) (\(next.title)): \(style.bold("\(commandName) watch \(next.number)")) watches it."
            + " Still watching lesson \(lesson.number)."
    }

    static func clockTime(_ date: Date) -> String {
        let f = DateFormatter()
        f.locale = Locale(identifier: "en_US_POSIX")
        f.dateFormat = "HH:mm:ss"
        return f.string(from: date)
    }

    /// Single keys without Enter, no echo; Ctrl-C still interrupts, and ``Interrupt``'s clean-up
    /// restores the terminal. Does nothing when the input is not a terminal (a pipe in tests).
    func enterKeyMode() {
        var t = termios()
        guard tcgetattr(watchInput, &t) == 0 else { return }
        savedTerminal = t
        savedTerminalFD = watchInput
        var raw = t
        raw.c_lflag &= ~tcflag_t(ICANON | ECHO)
        tcsetattr(watchInput, TCSANOW, &raw)
    }
}
