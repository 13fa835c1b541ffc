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
    public static func run(_ executable: String, _ arguments: [String], directory: URL? = nil,
                           environment: [String: String]? = nil, timeout: Duration,
                           onOutput: (@Sendable (Data, _ isStderr: Bool) -> Void)? = nil) async throws -> ProcessOutput {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<ProcessOutput, Error>) in
            let thread = Thread {
                do {
                    continuation.resume(returning: try runBlocking(executable, arguments, directory: directory, environment: environment,
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
    public static func runBlocking(_ executable: String, _ arguments: [String], directory: URL? = nil,
                                   environment: [String: String]? = nil, timeout: Duration,
                                   onOutput: (@Sendable (Data, Bool) -> Void)? = nil) throws -> ProcessOutput {
        let process = Process()
        if executable.contains("/") {
            process.executableURL = URL(fileURLWithPath: executable)
            process.arguments = arguments
        } else {
            process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            process.arguments = [executable] + arguments
        }
        if let directory { process.currentDirectoryURL = directory }
        if let environment { process.environment = environment }
        let outPipe = Pipe(), errPipe = Pipe()
        process.standardOutput = outPipe
        process.standardError = errPipe
        process.standardInput = FileHandle.nullDevice
        do {
            try process.run()
        } catch {
            throw Failure.cannotStart(([executable] + arguments).joined(separator: " "), "\(error.localizedDescription)")
        }
        let collected = Collected()
        let group = DispatchGroup()
        for (pipe, isErr) in [(outPipe, false), (errPipe, true)] {
            group.enter()
            let reader = Thread {
                let handle = pipe.fileHandleForReading
                while true {
                    let chunk = handle.availableData
                    if chunk.isEmpty { break }
                    collected.append(chunk, isErr: isErr)
                    onOutput?(chunk, isErr)
                }
                group.leave()
            }
            reader.name = "netlab pipe reader"
            reader.start()
        }
        let pid = process.processIdentifier
        let timer = DispatchWorkItem {
            collected.markTimedOut()
            kill(pid, SIGTERM)
            DispatchQueue.global().asyncAfter(deadline: .now() + 2) {
                if collected.running { kill(pid, SIGKILL) }
            }
        }
        let seconds = Double(timeout.components.seconds) + Double(timeout.components.attoseconds) / 1e18
        DispatchQueue.global().asyncAfter(deadline: .now() + seconds, execute: timer)
        process.waitUntilExit()
        collected.markExited()
        timer.cancel()
        // Children of the child may still hold the pipes open; give them a moment, not forever.
        _ = group.wait(timeout: .now() + 5)
        let status: Int32 = process.terminationReason == .uncaughtSignal ? 128 + process.terminationStatus : process.terminationStatus
        return collected.output(status: status)
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
        func markExited() { lock.lock(); exited = true; lock.unlock() }
        var running: Bool { lock.lock(); defer { lock.unlock() }; return !exited }
        func output(status: Int32) -> ProcessOutput {
            lock.lock(); defer { lock.unlock() }
            return ProcessOutput(stdout: out, stderr: err, status: status, timedOut: timedOut)
        }
    }
}
