import Foundation
import Glibc
import ProcessSupervision
import Synchronization
import Workbook

/// The program `netlab run` runs in the foreground, as Ctrl-C sees it: whether a stop was asked
/// for, and whether it has exited (waited for, not yet reaped), so that no signal can reach its
/// pid once it may belong to another process.
final class ForegroundChild: Sendable {
    let pid: pid_t
    private let state = Mutex<(exited: Bool, stopRequested: Bool)>((false, false))

    init(pid: pid_t) { self.pid = pid }

    /// How long the program has to end after SIGTERM before it gets SIGKILL.
    static let killAfter: DispatchTimeInterval = .seconds(3)

    /// Ctrl-C, SIGTERM or SIGHUP: SIGTERM now; SIGKILL after ``killAfter`` if it still runs.
    func stop() {
        let first = state.withLock { s -> Bool in
            defer { s.stopRequested = true }
            if !s.exited { kill(pid, SIGTERM) }
            return !s.stopRequested && !s.exited
        }
        guard first else { return }
        DispatchQueue.global().asyncAfter(deadline: .now() + Self.killAfter) { [self] in
            state.withLock { s in if !s.exited { kill(pid, SIGKILL) } }
        }
    }

    /// The program ended (it is not reaped yet): from now on no signal is sent to its pid.
    func markExited() { state.withLock { $0.exited = true } }

    var stopRequested: Bool { state.withLock { $0.stopRequested } }
}

extension NetlabCLI {
    /// Runs a program with the terminal's stdin and stderr; its stdout is passed through, and the
    /// ready line (`netlab: listening on HOST:PORT`) is answered with how to connect. Ctrl-C,
    /// SIGTERM and SIGHUP stop it (it gets SIGTERM, then SIGKILL after 3 s); when it ends, so
    /// does whatever it started (``ProcessTree``), and if netlab dies first the kernel kills it.
    static func runForeground(
        _ executable: String, _ arguments: [String], directory: URL, console: Console, style: Style,
        poke: @escaping @Sendable (_ host: String, _ port: String) -> [String]
    ) -> Int32 {
        let output: ProcessPipe
        do throws(ProcessPipe.Failure) { output = try ProcessPipe.make() } catch {
            console.err("netlab: \(error)")
            return ExitCode.failure
        }
        let pid: pid_t
        let token = ProcessTree.newToken()
        do {
            pid = try ProcessRunner.spawn(
                [executable] + arguments, stdinNull: false, stdout: output.write, stderr: nil,
                newProcessGroup: false, treeToken: token)
        } catch {
            output.close()
            console.err("netlab: \(error)")
            return ExitCode.failure
        }
        close(output.write)
        let readFD = output.read
        // Ctrl-C, SIGTERM and SIGHUP now stop the program instead of netlab (``Interrupt``
        // hands them over): SIGTERM at once, SIGKILL if it is still there 3 s later. netlab
        // then says it stopped and exits 0, the normal way to end `netlab run`.
        let child = ForegroundChild(pid: pid)
        return Interrupt.intercepting(
            with: { _ in child.stop() },
            while: { Self.waitForeground(child, readFD: readFD, token: token, console: console, style: style, poke: poke) }
        )
    }

    /// Passes the program's output through (answering its ready line), waits for it to end,
    /// stops what it started and reaps it; its exit status as netlab's.
    private static func waitForeground(
        _ child: ForegroundChild, readFD: Int32, token: String, console: Console, style: Style,
        poke: @escaping @Sendable (_ host: String, _ port: String) -> [String]
    ) -> Int32 {
        let pid = child.pid
        let reader = Thread {
            var pending = ""
            var announced = false
            while true {
                var buffer = [UInt8](repeating: 0, count: 16384)
                let n = buffer.withUnsafeMutableBytes { read(readFD, $0.baseAddress, $0.count) }
                if n < 0, errno == EINTR { continue }
                if n <= 0 { break }
                let data = Data(buffer[0..<n])
                console.raw(String(decoding: data, as: UTF8.self))
                guard !announced else { continue }
                pending += String(decoding: data, as: UTF8.self)
                if let r = pending.range(of: "netlab: listening on ") {
                    let rest = pending[r.upperBound...]
                    guard let end = rest.firstIndex(of: "\n") else { continue }
                    let address = String(rest[..<end]).trimmingSpaces()
                    if let colon = address.lastIndex(of: ":") {
                        var host = String(address[..<colon])
                        let port = address[address.index(after: colon)...]
                        if host.hasPrefix("[") { host = String(host.dropFirst().dropLast()) }
                        if host == "0.0.0.0" || host == "::" || host.isEmpty { host = "127.0.0.1" }
                        console.err(style.dim("netlab: talk to it from another terminal:"))
                        for command in poke(host, String(port)) {
                            let parts = command.components(separatedBy: "    # ")
                            console.err(
                                "  " + style.bold(parts[0]) + (parts.count > 1 ? style.dim("    # " + parts[1...].joined(separator: "    # ")) : ""))
                        }
                    }
                    announced = true
                    pending = ""
                }
            }
        }
        reader.start()
        // Wait without reaping, stop every signal to the pid, and only then reap: a pid is free
        // for reuse once reaped, and a late SIGKILL must never reach someone else's process.
        var info = siginfo_t()
        while waitid(P_PID, id_t(pid), &info, WEXITED | WNOWAIT) < 0, errno == EINTR {}
        child.markExited()
        // What it started goes with it, even in a session of its own.
        ProcessTree.stop(root: pid, token: token)
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0, errno == EINTR {}
        ProcessTree.reaped(pid)
        let signaled = (status & 0x7f) != 0
        let code = signaled ? status & 0x7f : (status >> 8) & 0xff
        if child.stopRequested {
            // Stopped by Ctrl-C / SIGTERM: that is the normal way to end `netlab run`.
            console.err(style.dim("netlab: stopped."))
            return ExitCode.success
        }
        if signaled {
            console.err("netlab: the program was killed by signal \(code)")
            return ExitCode.failure
        }
        if code != 0 { console.err("netlab: the program exited with status \(code)") }
        return code == 0 ? ExitCode.success : ExitCode.failure
    }
}
