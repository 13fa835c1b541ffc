#if canImport(Glibc)
import Glibc
#endif
import Dispatch
import NetCore

/// The frame of every lesson program: parse the flags, run the lesson's code, end cleanly on
/// SIGTERM or SIGINT.
///
/// ```swift
/// import LessonKit
/// import NetCore
///
/// LessonProgram.run(flags: [.idleTimeout]) { options, log in
///     let listener = try TCPListener.listen(address: options.listen)
///     log.ready(listener.address)            // netlab: listening on 127.0.0.1:PORT
///     try await serve(listener) { conn in
///         log.accepted(conn.remoteAddress)
///         …
///     }
/// }
/// ```
public enum LessonProgram {
    /// Parses `CommandLine.arguments` against `flags` (plus `--listen`, `--help`), then runs
    /// `body` and never returns:
    ///
    /// - bad flags: prints `NAME: MESSAGE` on stderr and exits with status 2;
    /// - `--help`: prints the usage on stdout and exits with status 0;
    /// - SIGTERM or SIGINT: exits with status 0 at once (a thread of its own waits for them, so
    ///   this works however busy the tasks are), unless `ShutdownSignal.notify()` took the first
    ///   one over for a graceful shutdown;
    /// - `body` returns: exit status 0; `body` throws: `error: …` in the log, exit status 1;
    /// - stdout is line-buffered, so each `print` line goes out at once (the log, on stderr, is
    ///   what the checks read; stdout is shown next to it).
    public static func run(
        name: String? = nil,
        flags: [Flag] = [],
        _ body: @escaping @Sendable (Options, Log) async throws -> Void
    ) -> Never {
        let (options, log) = start(name: name, flags: flags)
        // On NetCore's executor, whose threads also poll the network (as Go's do); every task
        // the lesson starts inside inherits it.
        Task.detached(executorPreference: NetExecutor.shared) {
            do {
                try await body(options, log)
                end(status: 0)
            } catch {
                log.error(Log.reason(error))
                end(status: 1)
            }
        }
        dispatchMain()
    }

    /// What both entries do before the lesson's code runs: signals, line-buffered stdout, the
    /// descriptor limit, then the flags (bad flags and `--help` end the program here).
    static func start(name: String?, flags: [Flag]) -> (Options, Log) {
        installSignalHandling()
        lineBufferStdout()
        raiseDescriptorLimit()  // as a Go program would: a thousand clients need more than 1,024
        let program = name ?? programName()
        let parsed: FlagParse
        do {
            parsed = try parseFlags(Array(CommandLine.arguments.dropFirst()), flags: flags, program: program)
        } catch {
            writeAll(2, Array("\(program): \(error.message)\n".utf8))
            exit(2)
        }
        switch parsed {
        case .help(let text):
            writeAll(1, Array((text + "\n").utf8))
            exit(0)
        case .run(let options):
            return (options, Log())
        }
    }

    /// Refuses the program's flags after parsing, as a bad flag is refused: prints
    /// `PROGRAM: MESSAGE` on stderr and exits with status 2. For the checks a lesson makes
    /// itself (`--send-queue 0`: "--send-queue must be at least 1").
    public static func usageError(_ message: String) -> Never {
        writeAll(2, Array("\(programName()): \(message)\n".utf8))
        exit(2)
    }

    /// The program's file name, for messages.
    static func programName() -> String {
        let path = CommandLine.arguments.first ?? "lesson"
        return path.split(separator: "/").last.map(String.init) ?? path
    }

    /// Blocks SIGTERM and SIGINT in this thread (threads started later inherit the mask) and
    /// starts a thread that waits for them with sigwait and exits with status 0, unless the
    /// program took the signal over with `ShutdownSignal.notify()` (then the first one goes to
    /// its waiting tasks, and a second one exits). A thread that does not block them (one that
    /// existed before, or the main thread while Dispatch suspends it with an empty mask) runs a
    /// handler that passes the signal on to that thread with `pthread_kill`, which is safe in a
    /// handler, where the tasks' locks are not.
    /// SIGPIPE is ignored: a write to a closed socket or pipe is an error, not death.
    static func installSignalHandling() {
        signal(SIGPIPE, SIG_IGN)
        var set = sigset_t()
        sigemptyset(&set)
        sigaddset(&set, SIGTERM)
        sigaddset(&set, SIGINT)
        pthread_sigmask(SIG_BLOCK, &set, nil)
        var thread = pthread_t()
        pthread_create(
            &thread, nil,
            { _ in
                var set = sigset_t()
                sigemptyset(&set)
                sigaddset(&set, SIGTERM)
                sigaddset(&set, SIGINT)
                while true {
                    var signal: Int32 = 0
                    while sigwait(&set, &signal) != 0 {}
                    if !ShutdownSignal.shared.deliver(signal) { LessonProgram.end(status: 0) }
                }
            }, nil)
        pthread_detach(thread)
        signalThread = thread

        var action = sigaction()
        action.__sigaction_handler.sa_handler = { signal in
            if signalThread == 0 { _exit(0) }
            pthread_kill(signalThread, signal)
        }
        sigemptyset(&action.sa_mask)
        sigaction(SIGTERM, &action, nil)
        sigaction(SIGINT, &action, nil)
    }
}

/// The thread that waits for SIGTERM and SIGINT (0 before it exists); the signal handler passes
/// what it catches on to it. Written once, before the handler is installed.
nonisolated(unsafe) private var signalThread = pthread_t()
