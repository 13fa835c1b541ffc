import CNetShim
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// What a finished child process left behind.
public struct ProcessOutput: Sendable {
    public var stdout: Data
    public var stderr: Data
    /// The exit status, or 128 + signal when it was killed.
    public var status: Int32
    /// True when the time bound ran out and netlab stopped the process.
    public var timedOut: Bool

    public var stdoutText: String { String(decoding: stdout, as: UTF8.self) }
    public var stderrText: String { String(decoding: stderr, as: UTF8.self) }
}

/// Runs blocking work (a spawn, a poll(2) on files, a wait for a child) on a thread of its own,
/// never on the cooperative pool, and resumes the caller with its result.
///
/// A new thread each time rather than Dispatch's global queue: that queue runs about as many
/// jobs at once as there are CPUs, so on 2 cores two long waits there held up every other
/// caller (a spawn, a board's state file) for as long as they lasted. Starting a thread is
/// cheap beside work that blocks, and none of the callers is on a hot path.
package func offPool<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        let thread = Thread { continuation.resume(with: Result { try work() }) }
        thread.name = "netlab blocking work"
        thread.start()
    }
}

/// The same for work that cannot fail.
package func offPool<T: Sendable>(_ work: @escaping @Sendable () -> T) async -> T {
    await withCheckedContinuation { continuation in
        let thread = Thread { continuation.resume(returning: work()) }
        thread.name = "netlab blocking work"
        thread.start()
    }
}

/// Runs a child process to completion with a time bound, off the cooperative pool.
///
/// The process is started and waited for on a dedicated thread; stdout and stderr are drained
/// continuously by two more threads, so a child that writes megabytes never blocks on a full
/// pipe (the 64 KiB deadlock of `waitUntilExit()`-then-read). When the time bound runs out the
/// child gets SIGTERM, then SIGKILL two seconds later.
public enum ProcessRunner {
    public enum Failure: Error, CustomStringConvertible {
        case cannotStart(String, String)
        public var description: String {
            switch self {
            case .cannotStart(let cmd, let why): "cannot start \(cmd): \(why)"
            }
        }
    }

    /// Runs `executable` (a path, or a name looked up on PATH) with `arguments`.
    /// `onOutput` sees stdout and stderr chunks as they arrive (from a background thread).
    public static func run(
        _ executable: String, _ arguments: [String], directory: URL? = nil,
        environment: [String: String]? = nil, timeout: Duration,
        onOutput: (@Sendable (Data, _ isStderr: Bool) -> Void)? = nil
    ) async throws -> ProcessOutput {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<ProcessOutput, Error>) in
            let thread = Thread {
                do {
                    continuation.resume(
                        returning: try runBlocking(
                            executable, arguments, directory: directory, environment: environment,
                            timeout: timeout, onOutput: onOutput))
                } catch {
                    continuation.resume(throwing: error)
                }
            }
            thread.name = "netlab process runner"
            thread.start()
        }
    }

    /// The blocking version of ``run(_:_:directory:environment:timeout:onOutput:)``; never call
    /// it from a task on the cooperative pool.
    ///
    /// The child is spawned in a process group of its own, so the time bound stops its children
    /// too (`swift build` runs compilers), and stdin is /dev/null.
    public static func runBlocking(
        _ executable: String, _ arguments: [String], directory: URL? = nil,
        environment: [String: String]? = nil, timeout: Duration,
        onOutput: (@Sendable (Data, Bool) -> Void)? = nil
    ) throws -> ProcessOutput {
        var argv = [executable] + arguments
        if let directory {
            // posix_spawn_file_actions_addchdir_np is a GNU extension Swift does not see: let a
            // shell change directory and exec the program.
            argv = ["/bin/sh", "-c", "cd \"$0\" && exec \"$@\"", directory.path] + argv
        }
        var outFDs: [Int32] = [-1, -1], errFDs: [Int32] = [-1, -1]
        // Close-on-exec from the start: a child that another thread spawns must not inherit a
        // write end, or our readers would wait for that child's exit before seeing EOF.
        guard cnet_pipe_cloexec(&outFDs) == 0 else { throw Failure.cannotStart(executable, String(cString: strerror(errno))) }
        guard cnet_pipe_cloexec(&errFDs) == 0 else {
            close(outFDs[0]); close(outFDs[1])
            throw Failure.cannotStart(executable, String(cString: strerror(errno)))
        }
        let pid: pid_t
        let token = ProcessTree.newToken()
        do {
            pid = try spawn(
                argv, environment: environment, stdinNull: true, stdout: outFDs[1], stderr: errFDs[1],
                newProcessGroup: true, treeToken: token)
        } catch {
            for fd in outFDs + errFDs { close(fd) }
            throw error
        }
        close(outFDs[1])
        close(errFDs[1])
        let collected = Collected()
        let group = DispatchGroup()
        for (fd, isErr) in [(outFDs[0], false), (errFDs[0], true)] {
            group.enter()
            let reader = Thread {
                var buffer = [UInt8](repeating: 0, count: 65536)
                while true {
                    let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
                    if n < 0, errno == EINTR { continue }
                    if n <= 0 { break }
                    let chunk = Data(buffer[0..<n])
                    collected.append(chunk, isErr: isErr)
                    onOutput?(chunk, isErr)
                }
                close(fd)
                group.leave()
            }
            reader.name = "netlab pipe reader"
            reader.start()
        }
        let processGroup = ProcessGroup(leader: pid, token: token)
        let timer = DispatchWorkItem {
            collected.markTimedOut()
            processGroup.signal(SIGTERM)
            DispatchQueue.global().asyncAfter(deadline: .now() + 2) {
                processGroup.signal(SIGKILL)  // does nothing once the leader is reaped
            }
        }
        let seconds = Double(timeout.components.seconds) + Double(timeout.components.attoseconds) / 1e18
        DispatchQueue.global().asyncAfter(deadline: .now() + seconds, execute: timer)
        // Children of the child may still hold the pipes open: after a timeout, make sure the
        // whole group is gone; otherwise give them a moment, not forever.
        let status = processGroup.waitForExit(killingGroup: { collected.didTimeOut })
        collected.markExited()
        timer.cancel()
        _ = group.wait(timeout: .now() + 5)
        let exitStatus: Int32 = (status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
        return collected.output(status: exitStatus)
    }

    /// Starts `argv` (``cnet_spawn``, a posix_spawnp that also sets `PR_SET_PDEATHSIG`, on the
    /// ``SpawnThread``): default signal actions and an empty signal mask (a child of a
    /// Foundation thread would otherwise inherit blocked signals and ignore SIGTERM), stdin from
    /// /dev/null when `stdinNull`, stdout/stderr onto the given descriptors (nil: inherited),
    /// optionally in a new process group, and SIGKILLed by the kernel if netlab dies first.
    /// With a `treeToken`, the child (and whatever it starts) carries it in its environment
    /// (``ProcessTree``). Whoever reaps the child tells ``ProcessTree/reaped(_:)``. Blocking:
    /// call it off the cooperative pool.
    public static func spawn(
        _ argv: [String], environment: [String: String]? = nil, stdinNull: Bool,
        stdout: Int32?, stderr: Int32?, newProcessGroup: Bool, treeToken: String? = nil,
        descriptorLimit: Int? = nil, stdin: Int32? = nil, outlivesNetlab: Bool = false
    ) throws -> pid_t {
        var environment = environment ?? ProcessInfo.processInfo.environment
        if let treeToken { environment[ProcessTree.variable] = treeToken }
        let env = environment.map { "\($0.key)=\($0.value)" }
        let cArgs = argv.map { strdup($0) } + [nil]
        let cEnv = env.map { strdup($0) } + [nil]
        defer {
            for p in cArgs { free(p) }
            for p in cEnv { free(p) }
        }
        // Only the spawn itself runs on the spawner thread; a retry waits on the caller's.
        let result = spawnRetryingWhileBusy {
            SpawnThread.shared.run {
                ProcessTree.spawnOwned {
                    var error: Int32 = 0
                    let pid = cnet_spawn(
                        argv[0], cArgs, cEnv, stdinNull ? 1 : 0, stdout ?? -1, stderr ?? -1,
                        newProcessGroup ? 1 : 0, descriptorLimit ?? 0, stdin ?? -1,
                        outlivesNetlab ? 1 : 0, &error)
                    return (pid, error)
                }
            }
        }
        guard result.0 > 0 else {
            throw Failure.cannotStart(argv.joined(separator: " "), String(cString: strerror(result.1)))
        }
        return result.0
    }

    /// `spawn`, retried for up to a second on ETXTBSY: the program was just written (by a
    /// build's linker, or a test's script) and some process still holds it open for writing,
    /// usually a child that another thread forked in that instant. It clears within moments.
    static func spawnRetryingWhileBusy(_ spawn: () -> (pid_t, Int32)) -> (pid_t, Int32) {
        var result = spawn()
        var retries = 0
        while result.0 < 0, result.1 == ETXTBSY, retries < 20 {
            usleep(50_000)
            retries += 1
            result = spawn()
        }
        return result
    }

    final class Collected: @unchecked Sendable {
        private let lock = NSLock()
        private var out = Data(), err = Data()
        private var timedOut = false
        private var exited = false

        func append(_ d: Data, isErr: Bool) {
            lock.lock(); defer { lock.unlock() }
            if isErr { err.append(d) } else { out.append(d) }
        }
        func markTimedOut() { lock.lock(); timedOut = true; lock.unlock() }
        var didTimeOut: Bool { lock.lock(); defer { lock.unlock() }; return timedOut }
        package func markExited() { lock.lock(); exited = true; lock.unlock() }
        package var running: Bool { lock.lock(); defer { lock.unlock() }; return !exited }
        /// Runs `body` (a signal to the child) only if it has not been marked exited, holding
        /// the lock so that it cannot be marked exited, and then reaped, meanwhile.
        package func ifRunning(_ body: () -> Void) { lock.lock(); defer { lock.unlock() }; if !exited { body() } }
        func output(status: Int32) -> ProcessOutput {
            lock.lock(); defer { lock.unlock() }
            return ProcessOutput(stdout: out, stderr: err, status: status, timedOut: timedOut)
        }
    }
}
