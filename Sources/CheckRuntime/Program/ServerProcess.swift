#if canImport(Glibc)
import Glibc
#endif
import ProcessSupervision
import Foundation
import Synchronization

/// A line the program wrote, with the time netlab read it.
public struct OutputLine: Sendable, Equatable {
    public enum Stream: String, Sendable { case stdout, stderr }
    /// Position among all lines of the process (stdout and stderr), counting dropped ones.
    public var sequence: Int
    public var stream: Stream
    public var time: ContinuousClock.Instant
    public var text: String
}

/// A program started in its own process group (and killed by the kernel if netlab dies), with stdout and stderr drained continuously by
/// threads of their own (so a program that writes megabytes never blocks on a full pipe), every
/// line timestamped, and a thread that reaps it.
///
/// Stops are bounded: `stop(grace:)` sends SIGTERM to the group, waits at most `grace`, then
/// sends SIGKILL. A program that ignores SIGTERM still ends.
public final class ServerProcess: Sendable {
    /// The most output kept: older lines are dropped first, and counted.
    public static let keptOutputLimit = 256 * 1024
    /// The longest line kept; the rest of a longer line is dropped, and counted.
    public static let lineLimit = 8 * 1024

    public let pid: pid_t
    public let started: ContinuousClock.Instant
    public let commandLine: [String]

    struct State {
        var lines: [OutputLine] = []
        var nextSequence = 0
        var keptBytes = 0
        var droppedBytes = 0
        var droppedLines = 0
        var partial: [OutputLine.Stream: [UInt8]] = [:]
        var totalStderrBytes = 0
        var readyAddress: String?
        var readyTime: ContinuousClock.Instant?
        var exit: ExitStatus?
        var exitTime: ContinuousClock.Instant?
        var openStreams = 2
        /// The read end of the stderr pipe while its reader runs; -1 once it is closed.
        var stderrFD: Int32 = -1
    }

    private let state = Mutex(State())

    private let group: ProcessGroup

    /// Stops the process group of every child netlab started and has not reaped, programs
    /// under check and builds alike (SIGTERM, then SIGKILL after half a second), and the rest
    /// of their process trees (``ProcessTree``). They run in
    /// process groups of their own, so a Ctrl-C in the terminal does not reach them: a CLI that
    /// is interrupted calls this (from a thread, not from a signal handler) before it exits.
    public static func killAll() {
        ProcessGroup.stopAll()
    }

    /// For the netlab command, whose every child is started by netlab and whose programs run
    /// one at a time: whenever a program stops, so do the daemons a program left behind that
    /// netlab adopted as a subreaper (those that cleared their environment, and so the token
    /// that ties them to their program, included), and those that exited on their own are
    /// reaped, so that a long `watch` collects no zombies. Not for a process that also starts
    /// children in other ways (a test runner using Foundation's `Process`).
    public static func stopAdoptedOrphans() {
        ProcessTree.stopStraysFromNowOn()
    }

    /// The program's ``ProcessTree`` token: what it starts carries it too.
    let treeToken: String

    private init(pid: pid_t, commandLine: [String], treeToken: String) {
        self.pid = pid
        self.treeToken = treeToken
        group = ProcessGroup(leader: pid, token: treeToken)
        self.commandLine = commandLine
        self.started = .now
    }

    /// Starts `launch.executable` with `launch.arguments + arguments`, at most `descriptorLimit`
    /// descriptors open (RLIMIT_NOFILE) when one is given.
    public static func start(_ launch: ProgramLaunch, arguments: [String], descriptorLimit: Int? = nil) throws -> ServerProcess {
        let argv = [launch.executable] + launch.arguments + arguments
        // Close-on-exec from the start, so a program started at the same time by another check
        // never inherits these pipes.
        let outPipe: ProcessPipe
        let errPipe: ProcessPipe
        do throws(ProcessPipe.Failure) {
            outPipe = try ProcessPipe.make()
            do throws(ProcessPipe.Failure) { errPipe = try ProcessPipe.make() } catch { outPipe.close(); throw error }
        } catch {
            throw LaunchError(description: "pipe: \(error.reason)")
        }

        var environment = ProcessInfo.processInfo.environment
        for (k, v) in launch.environment { environment[k] = v }
        // In a process group of its own (so that stopping it stops whatever it started), with
        // default signal actions, stdin from /dev/null, and no descriptor of netlab's.
        // Killed by the kernel if netlab dies; whatever it starts, even in a session of its own,
        // is stopped with it (ProcessTree).
        let pid: pid_t
        let token = ProcessTree.newToken()
        do {
            pid = try ProcessRunner.spawn(
                argv, environment: environment, stdinNull: true,
                stdout: outPipe.write, stderr: errPipe.write, newProcessGroup: true, treeToken: token,
                descriptorLimit: descriptorLimit)
        } catch {
            outPipe.close()
            errPipe.close()
            throw LaunchError(description: "\(error)")
        }
        close(outPipe.write)
        close(errPipe.write)
        let process = ServerProcess(pid: pid, commandLine: argv, treeToken: token)
        // The descriptor limit was set in the child before its exec, so a wrapper's children
        // (`--cmd "sh -c …"` without exec) have it too.
        process.drain(outPipe.read, .stdout)
        process.drain(errPipe.read, .stderr)
        process.reap()
        return process
    }

    // MARK: Threads

    private func drain(_ fd: Int32, _ stream: OutputLine.Stream) {
        if stream == .stderr { state.withLock { $0.stderrFD = fd } }
        let thread = Thread { [self] in
            let size = 65536
            let buffer = UnsafeMutableRawPointer.allocate(byteCount: size, alignment: 1)
            defer {
                buffer.deallocate()
                // Under the lock, so `unreadStderrBytes` never asks a descriptor that was reused.
                state.withLock { s in
                    if stream == .stderr { s.stderrFD = -1 }
                    close(fd)
                }
            }
            while true {
                let n = read(fd, buffer, size)
                if n < 0 && errno == EINTR { continue }
                if n <= 0 { break }
                let bytes = UnsafeRawBufferPointer(start: buffer, count: n)
                absorb(bytes, stream)
            }
            state.withLock { s in
                if let rest = s.partial[stream], !rest.isEmpty { Self.appendLine(&s, rest, stream, .now) }
                s.partial[stream] = nil
                s.openStreams -= 1
            }
        }
        thread.name = "netlab-\(stream.rawValue)-\(pid)"
        thread.start()
    }

    private func absorb(_ bytes: UnsafeRawBufferPointer, _ stream: OutputLine.Stream) {
        let now = ContinuousClock.now
        state.withLock { s in
            if stream == .stderr { s.totalStderrBytes += bytes.count }
            var pending = s.partial[stream] ?? []
            var start = 0
            for i in 0..<bytes.count where bytes[i] == 10 {
                pending.append(contentsOf: bytes[start..<i])
                Self.appendLine(&s, pending, stream, now)
                pending.removeAll(keepingCapacity: true)
                start = i + 1
            }
            if start < bytes.count {
                let room = Self.lineLimit + 1 - pending.count
                if room > 0 { pending.append(contentsOf: bytes[start..<min(bytes.count, start + room)]) }
                s.droppedBytes += max(0, bytes.count - start - max(room, 0))
            }
            s.partial[stream] = pending
        }
    }

    private static func appendLine(_ s: inout State, _ raw: [UInt8], _ stream: OutputLine.Stream, _ time: ContinuousClock.Instant) {
        var bytes = raw
        if bytes.last == 13 { bytes.removeLast() }
        var text = String(decoding: bytes.prefix(lineLimit), as: UTF8.self)
        if bytes.count > lineLimit {
            s.droppedBytes += bytes.count - lineLimit
            text += " …(line cut at 8 KiB)"
        }
        if stream == .stdout, s.readyAddress == nil, text.hasPrefix("netlab: listening on ") {
            s.readyAddress = String(text.dropFirst("netlab: listening on ".count)).trimmingCharacters(in: .whitespaces)
            s.readyTime = time
        }
        s.lines.append(OutputLine(sequence: s.nextSequence, stream: stream, time: time, text: text))
        s.nextSequence += 1
        s.keptBytes += text.utf8.count + 1
        if s.keptBytes > keptOutputLimit {
            var drop = 0
            while s.keptBytes > keptOutputLimit, drop < s.lines.count - 1 {
                s.keptBytes -= s.lines[drop].text.utf8.count + 1
                s.droppedBytes += s.lines[drop].text.utf8.count + 1
                drop += 1
            }
            s.droppedLines += drop
            s.lines.removeFirst(drop)
        }
    }

    private func reap() {
        let pid = self.pid
        let thread = Thread { [self] in
            // Whatever the program left behind in its group (children of a shell script) goes
            // too, so nothing keeps the pipes open; the group is killed before the program is
            // reaped, while its pid cannot belong to anyone else.
            let status = group.waitForExit()
            let exit: ExitStatus = (status & 0x7f) == 0 ? .exited((status >> 8) & 0xff) : .signaled(status & 0x7f)
            state.withLock { s in
                s.exit = exit
                s.exitTime = .now
            }
        }
        thread.name = "netlab-wait-\(pid)"
        thread.start()
    }

    // MARK: State

    /// How the program ended; nil while it runs.
    public var exitStatus: ExitStatus? { state.withLock { $0.exit } }
    public var exitTime: ContinuousClock.Instant? { state.withLock { $0.exitTime } }
    /// The address of the ready line (`127.0.0.1:40123`); nil until it is printed.
    public var readyAddress: String? { state.withLock { $0.readyAddress } }
    public var readyTime: ContinuousClock.Instant? { state.withLock { $0.readyTime } }

    /// Bytes the program has written to stderr that netlab has not read yet (FIONREAD on the
    /// pipe): 0 once everything written so far is in `lines` (or in a partial line).
    public var unreadStderrBytes: Int {
        state.withLock { s in
            guard s.stderrFD >= 0 else { return 0 }
            var count: Int32 = 0
            return ioctl(s.stderrFD, UInt(FIONREAD), &count) == 0 ? Int(count) : 0
        }
    }

    /// Lines kept (stdout and stderr), in the order they were read.
    public var lines: [OutputLine] { state.withLock { $0.lines } }
    /// Lines with a sequence number at or after `sequence`.
    public func lines(from sequence: Int) -> [OutputLine] {
        state.withLock { s in
            // Sequences grow by one per line, so the first kept line tells where to start.
            guard let first = s.lines.first else { return [] }
            let start = max(0, sequence - first.sequence)
            return start < s.lines.count ? Array(s.lines[start...]) : []
        }
    }
    /// The last `count` stderr lines.
    public func lastStderrLines(_ count: Int) -> [String] {
        state.withLock { s in s.lines.filter { $0.stream == .stderr }.suffix(count).map(\.text) }
    }
    /// Bytes and lines of output dropped to keep within the limits.
    public var dropped: (bytes: Int, lines: Int) { state.withLock { ($0.droppedBytes, $0.droppedLines) } }
    /// All bytes the program wrote to stderr.
    public var stderrByteCount: Int { state.withLock { $0.totalStderrBytes } }
    /// Text the program wrote on stdout after its last newline (a ready line without "\n").
    public var unfinishedStdoutLine: String? {
        state.withLock { s in s.partial[.stdout].flatMap { $0.isEmpty ? nil : String(decoding: $0, as: UTF8.self) } }
    }
    /// Whether both pipes reached end of file (every line has been read).
    public var outputClosed: Bool { state.withLock { $0.openStreams == 0 } }

    // MARK: Waiting

    public enum Readiness: Sendable, Equatable {
        case ready(String)
        case exited(ExitStatus)
        case timedOut
    }

    /// Waits for the ready line, the program's exit, or the bound, whichever comes first.
    public func waitReady(timeout: Duration) async -> Readiness {
        let deadline = ContinuousClock.now + timeout
        while true {
            let (ready, exit) = state.withLock { ($0.readyAddress, $0.exit) }
            if let ready { return .ready(ready) }
            if let exit {
                // The ready line may still be in the pipe.
                await waitOutputClosed(until: .now + .milliseconds(200))
                if let ready = readyAddress { return .ready(ready) }
                return .exited(exit)
            }
            if ContinuousClock.now >= deadline { return .timedOut }
            try? await Task.sleep(for: .milliseconds(2))
        }
    }

    /// Waits until the program exits or the bound runs out; its status, or nil.
    public func waitExit(timeout: Duration) async -> ExitStatus? {
        let deadline = ContinuousClock.now + timeout
        while true {
            if let exit = exitStatus { return exit }
            if ContinuousClock.now >= deadline || Task.isCancelled { return nil }
            try? await Task.sleep(for: .milliseconds(2))
        }
    }

    func waitOutputClosed(until deadline: ContinuousClock.Instant) async {
        while !outputClosed, ContinuousClock.now < deadline {
            try? await Task.sleep(for: .milliseconds(2))
        }
    }

    /// Sends `signal` to the program's process group (if it has not been reaped).
    public func signal(_ signal: Int32) {
        group.signal(signal)  // never after the program was reaped
    }

    /// SIGTERM to the group, then SIGKILL after `grace`; returns how it ended and whether it
    /// needed SIGKILL. Never waits longer than `grace` plus a moment for the kernel.
    @discardableResult
    public func stop(grace: Duration = .seconds(2)) async -> (status: ExitStatus?, killed: Bool) {
        if let exit = exitStatus {
            await waitOutputClosed(until: .now + .milliseconds(500))
            return (exit, false)
        }
        signal(SIGTERM)
        if let exit = await waitExit(timeout: grace) {
            await waitOutputClosed(until: .now + .milliseconds(500))
            return (exit, false)
        }
        signal(SIGKILL)
        let exit = await waitExit(timeout: .seconds(2))
        await waitOutputClosed(until: .now + .milliseconds(500))
        return (exit, true)
    }
}
