import CheckRuntime
import Foundation
import Glibc
#if canImport(Glibc)
import ProcessSupervision
import Synchronization
#endif

/// The write end of the self-pipe that the SIGINT/SIGTERM/SIGHUP handler writes to.
nonisolated(unsafe) private var interruptPipeWrite: Int32 = -1

/// Ctrl-C, SIGTERM and SIGHUP (a closed terminal) while `check`, `watch` or `run`'s build runs:
/// the signal handler only writes the signal's number to a pipe (async-signal-safe); a thread
/// reads it, runs the clean-up (stop the lesson programs and builds netlab started, with
/// everything they started; restore the terminal), says so, and exits with the conventional
/// status, 128 + the signal (130, 143, 129).
enum Interrupt {
    private static let installed = Mutex(false)

    /// 128 + the signal being handled, once one arrived.
    private static let handled = Mutex<Int32?>(nil)

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
            var byte: UInt8 = 0
            while read(readFD, &byte, 1) < 0, errno == EINTR {}
            let signal = Int32(byte)
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
        thread.name = "netlab interrupt"
        thread.start()
        for sig in signals {
            signal(sig) { sig in
                var b = UInt8(truncatingIfNeeded: sig)
                _ = write(interruptPipeWrite, &b, 1)
            }
        }
    }
}
