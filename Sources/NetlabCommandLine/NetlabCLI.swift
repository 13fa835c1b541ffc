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

    public init(
        console: Console, environment: [String: String], workingDirectory: URL,
        grader: any LessonGrader = ScriptLessonGrader(),
        makeBuilder: @escaping @Sendable (URL) -> LessonBuilder = { LessonBuilder(root: $0) },
        now: @escaping @Sendable () -> Date = { Date() }
    ) {
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
        let invocation: NetlabCommands.Invocation
        do {
            invocation = try NetlabCommands.parse(arguments)
        } catch {
            return usageError(error)
        }
        switch invocation {
        case .version:
            console.out("netlab \(Self.version)")
            return ExitCode.success
        case .help(let spec):
            console.out(spec?.help(style: style) ?? NetlabCommands.overview(style: style, version: Self.version))
            return ExitCode.success
        case .run(let command):
            do {
                return try await command.run(self)
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
        if let name = error.command, let spec = NetlabCommands.spec(named: name) {
            console.err("usage: \(spec.usage)\n(see `netlab \(name) --help`)")
        } else {
            console.err("usage: netlab COMMAND [ARGS…]; commands: \(NetlabCommands.all.map(\.name).joined(separator: ", "))\n(see `netlab --help`)")
        }
        return ExitCode.usage
    }

    /// A failure that is not the command line's fault: the message, and the exit status.
    struct CLIError: Error {
        var message: String
        var code: Int32
    }
}
