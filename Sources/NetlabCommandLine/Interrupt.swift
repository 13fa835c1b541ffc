import CheckRuntime
import Foundation
import Glibc
import ProcessSupervision
import Synchronization

/// The write end of the self-pipe that the SIGINT/SIGTERM/SIGHUP handler writes to.
nonisolated(unsafe) private var interruptPipeWrite: Int32 = -1

/// Ctrl-C, SIGTERM and SIGHUP (a closed terminal): netlab's one place that handles signals. The
/// signal handler only writes the signal's number to a pipe (async-signal-safe); a thread reads
/// it. While `netlab run`'s program runs in the foreground, the signal is handed to it
/// (``intercepting(with:while:)``: the program is stopped and netlab goes on). Otherwise (`check`,
/// `watch`, `run`'s build) the thread runs the clean-up (stop the lesson programs and builds
/// netlab started, with everything they started; restore the terminal), says so, and exits with
/// the conventional status, 128 + the signal (130, 143, 129).
enum Interrupt {
    private static let installed = Mutex(false)

    /// 128 + the signal being handled, once one arrived that ends netlab.
    private static let handled = Mutex<Int32?>(nil)

    /// Who takes the signals instead of the clean-up, while set.
    private static let interceptor = Mutex<(@Sendable (Int32) -> Void)?>(nil)

    /// Nil when no signal arrived; else waits (up to 10 s) for the handler to exit netlab, and
    /// returns the status it exits with, should it not have done so by then.
    static func statusOnceHandled() async -> Int32? {
        guard let status = handled.withLock({ $0 }) else { return nil }
        let deadline = ContinuousClock.now + .seconds(10)
        while ContinuousClock.now < deadline { try? await Task.sleep(for: .milliseconds(50)) }
        return status
    }

    /// The signals handled.
    static let signals: [Int32] = [SIGINT, SIGTERM, SIGHUP]

    /// What netlab says when `signal` stops it.
    static func message(for signal: Int32) -> String {
        switch signal {
        case SIGINT: "\nnetlab: interrupted."
        case SIGHUP: "\nnetlab: stopped: the terminal closed (SIGHUP)."
        default: "\nnetlab: stopped (\(ExitStatus.signalName(signal)))."
        }
    }

    /// Handles ``signals`` from now on (the first call only; later calls change nothing).
    static func install(console: Console, cleanUp: @escaping @Sendable () -> Void) {
        let first = installed.withLock { done -> Bool in
            defer { done = true }
            return !done
        }
        guard first else { return }
        guard let pipe = try? ProcessPipe.make() else { return }
        interruptPipeWrite = pipe.write
        let readFD = pipe.read
        let thread = Thread {
            while true {
                var byte: UInt8 = 0
                let n = read(readFD, &byte, 1)
                if n < 0, errno == EINTR { continue }
                guard n == 1 else { return }
                let signal = Int32(byte)
                if let intercept = interceptor.withLock({ $0 }) {
                    intercept(signal)
                    continue
                }
                handled.withLock { $0 = 128 + signal }
                if signal == SIGHUP {
                    // The terminal may be gone and writing to it fail: stop everything first.
                    cleanUp()
                    console.finish(with: message(for: signal))
                } else {
                    // Said first, and last: what the stopped work prints meanwhile is not news.
                    console.finish(with: message(for: signal))
                    cleanUp()
                }
                exit(128 + signal)
            }
        }
        thread.name = "netlab interrupt"
        thread.start()
        for sig in signals {
            signal(sig) { sig in
                var b = UInt8(truncatingIfNeeded: sig)
                _ = write(interruptPipeWrite, &b, 1)
            }
        }
    }

    /// Runs `body` with every signal handed to `onSignal` instead of ending netlab (`netlab
    /// run`'s foreground program: Ctrl-C stops the program, and netlab says so and exits 0).
    /// Without ``install(console:cleanUp:)`` (netlab inside tests), signals keep their default.
    static func intercepting<T>(with onSignal: @escaping @Sendable (Int32) -> Void, while body: () throws -> T) rethrows -> T {
        interceptor.withLock { $0 = onSignal }
        defer { interceptor.withLock { $0 = nil } }
        return try body()
    }
}

extension NetlabCLI {
    /// Ctrl-C during `check`, `watch` or `run`: stop what netlab started, restore the terminal,
    /// exit 130 (``Interrupt``). Only the real CLI (``handlesInterrupts``), never inside tests.
    func installInterruptHandler() {
        guard handlesInterrupts else { return }
        let hook = onInterrupt
        Interrupt.install(console: console) {
            hook()
            restoreTerminalAfterWatch()
        }
    }
}
