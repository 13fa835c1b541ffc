import CNetShim
import Foundation
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// The write end of the self-pipe that the SIGINT/SIGTERM handler writes to.
nonisolated(unsafe) private var interruptPipeWrite: Int32 = -1

/// Ctrl-C and SIGTERM while `check` or `watch` runs: the signal handler only writes a byte to a
/// pipe (async-signal-safe); a thread reads it, runs the clean-up (stop the lesson programs the
/// runner started, restore the terminal), says so, and exits with 130.
enum Interrupt {
    private static let installed = Mutex(false)

    static func install(console: Console, cleanUp: @escaping @Sendable () -> Void) {
        let first = installed.withLock { done -> Bool in
            defer { done = true }
            return !done
        }
        guard first else { return }
        var fds: [Int32] = [-1, -1]
        guard cnet_pipe_cloexec(&fds) == 0 else { return }
        interruptPipeWrite = fds[1]
        let readFD = fds[0]
        let thread = Thread {
            var byte: UInt8 = 0
            while read(readFD, &byte, 1) < 0, errno == EINTR {}
            // Said first, and last: what the stopped work prints meanwhile is not news.
            console.finish(with: "\nnetlab: interrupted.")
            cleanUp()
            exit(130)
        }
        thread.name = "netlab interrupt"
        thread.start()
        for sig in [SIGINT, SIGTERM] {
            signal(sig) { _ in
                var b: UInt8 = 1
                _ = write(interruptPipeWrite, &b, 1)
            }
        }
    }
}
