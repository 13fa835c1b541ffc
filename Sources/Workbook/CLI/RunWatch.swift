import CNetShim
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// The terminal settings to restore when `watch` ends (it turns off line buffering and echo so a
/// single `q` quits).
nonisolated(unsafe) private var savedTerminal: termios?

/// The program `netlab run` started, for the signal handlers.
nonisolated(unsafe) private var runChildPID: pid_t = 0
nonisolated(unsafe) private var runStopRequested: Int32 = 0

/// Restores the terminal if `watch` changed it (safe to call any time).
func restoreTerminalAfterWatch() { restoreTerminal() }

private func restoreTerminal() {
    if var t = savedTerminal { tcsetattr(0, TCSANOW, &t) }
}

extension NetlabCLI {
    // MARK: - run

    func runLesson(_ p: ParsedCommand, _ w: Workbook) async throws -> Int32 {
        if p.flag("solution"), p.value("cmd") != nil {
            throw UsageError("give either --solution or --cmd, not both", command: "run")
        }
        if let cmd = p.value("cmd") { _ = try commandProgram(cmd, command: "run") }
        let lesson = try findLesson(p.lessons[0], w, command: "run")
        let buildable = Catalog.parseFolderName(lesson.slug) != nil && FileManager.default.fileExists(atPath: lesson.mainFile.path)
        if !buildable, p.value("cmd") == nil {
            throw CLIError(message: "lesson \(lesson.number) cannot be built: \(lesson.problems.joined(separator: "; "))", code: ExitCode.failure)
        }
        // Ctrl-C, SIGTERM or SIGHUP during the build stops `swift build` (in a process group
        // of its own, out of the terminal's reach) before netlab exits; runForeground handles
        // them itself once the program runs.
        installInterruptHandler()
        let (program, why) = try await program(for: lesson, solution: p.flag("solution"), cmd: p.value("cmd"), w)
        guard let program else { throw CLIError(message: why ?? "the program could not be built", code: ExitCode.failure) }
        var flags = p.passthrough
        if !flags.contains(where: { $0 == "--listen" || $0.hasPrefix("--listen=") }) {
            flags = ["--listen", "127.0.0.1:0"] + flags
        }
        let arguments = program.arguments + flags
        if let start = startLine(lesson) {
            console.out(style.dim("The checks start it as: \(start)"))
        }
        console.out("Running \(program.displayName): \(style.bold(([program.executable] + arguments).map(Self.shellQuote).joined(separator: " ")))")
        console.out(style.dim("Ctrl-C stops it."))
        let console = self.console
        let style = self.style
        let status = await withCheckedContinuation { (c: CheckedContinuation<Int32, Never>) in
            let thread = Thread {
                c.resume(returning: Self.runForeground(program.executable, arguments, directory: w.root, console: console, style: style))
            }
            thread.name = "netlab run"
            thread.start()
        }
        return status
    }

    /// The file's `start` line from checks.netlab, as written, if it has one.
    func startLine(_ lesson: Lesson) -> String? {
        guard let file = lesson.checksFile, let text = try? String(contentsOf: file, encoding: .utf8) else { return nil }
        for line in text.split(separator: "\n") {
            let t = String(line).trimmingSpaces()
            if t.hasPrefix("check ") { return nil }
            if t.hasPrefix("start ") { return t }
        }
        return nil
    }

    static func shellQuote(_ s: String) -> String {
        if !s.isEmpty, s.allSatisfy({ $0.isLetter || $0.isNumber || "-_./:=,@+".contains($0) }) { return s }
        return "'" + s.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }

    /// Runs a program with the terminal's stdin and stderr; its stdout is passed through, and the
    /// ready line (`netlab: listening on HOST:PORT`) is answered with how to connect. Ctrl-C,
    /// SIGTERM and SIGHUP stop it (it gets SIGTERM, then SIGKILL after 3 s); when it ends, so
    /// does whatever it started (``ProcessTree``), and if netlab dies first the kernel kills it.
    static func runForeground(_ executable: String, _ arguments: [String], directory: URL, console: Console, style: Style) -> Int32 {
        var outFDs: [Int32] = [-1, -1]
        guard cnet_pipe_cloexec(&outFDs) == 0 else {
            console.err("netlab: cannot make a pipe: \(String(cString: strerror(errno)))")
            return ExitCode.failure
        }
        let pid: pid_t
        let token = ProcessTree.newToken()
        do {
            pid = try ProcessRunner.spawn([executable] + arguments, stdinNull: false, stdout: outFDs[1], stderr: nil,
                                          newProcessGroup: false, treeToken: token)
        } catch {
            close(outFDs[0]); close(outFDs[1])
            console.err("netlab: \(error)")
            return ExitCode.failure
        }
        close(outFDs[1])
        let readFD = outFDs[0]
        // Ctrl-C and SIGTERM are handled only now, so the child keeps the default actions. The
        // handler only records the request and sends SIGTERM (async-signal-safe); a watchdog
        // thread sends SIGKILL if the program is still there 3 s later.
        runChildPID = pid
        runStopRequested = 0
        signal(SIGINT) { _ in
            runStopRequested = 1
            if runChildPID > 0 { kill(runChildPID, SIGTERM) }
        }
        signal(SIGTERM) { _ in
            runStopRequested = 1
            if runChildPID > 0 { kill(runChildPID, SIGTERM) }
        }
        signal(SIGHUP) { _ in
            runStopRequested = 1
            if runChildPID > 0 { kill(runChildPID, SIGTERM) }
        }
        let finished = ProcessRunner.Collected()
        let watchdog = Thread {
            var waited = 0
            while finished.running {
                usleep(100_000)
                if runStopRequested == 1 {
                    waited += 1
                    // `pid`, not runChildPID: that one is reset to 0 once the child is reaped, and
                    // kill(0, …) would hit netlab's own process group.
                    if waited == 30 { finished.ifRunning { kill(pid, SIGKILL) } }
                }
            }
        }
        watchdog.start()
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
                        console.err(style.dim("netlab: poke it from another terminal: ") + style.bold("nc \(host) \(port)")
                                    + style.dim("   (or curl / openssl s_client for the HTTP and TLS lessons)"))
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
        finished.markExited()
        runChildPID = 0
        // What it started goes with it, even in a session of its own.
        ProcessTree.stop(root: pid, token: token)
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0, errno == EINTR {}
        ProcessTree.reaped(pid)
        signal(SIGINT, SIG_DFL)
        signal(SIGTERM, SIG_DFL)
        signal(SIGHUP, SIG_DFL)
        let signaled = (status & 0x7f) != 0
        let code = signaled ? status & 0x7f : (status >> 8) & 0xff
        if runStopRequested == 1 {
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

    // MARK: - watch

    func watch(_ p: ParsedCommand, _ w: Workbook) async throws -> Int32 {
        let lesson: Lesson
        if let n = p.lessons.first {
            lesson = try findLesson(n, w, command: "watch")
        } else if let next = nextLesson(w, w.store.load()) {
            lesson = next
        } else {
            throw CLIError(message: "every lesson has passed; give a lesson number to watch one anyway: `\(commandName) watch N`", code: ExitCode.failure)
        }
        guard let grader else {
            console.err("netlab: " + Self.runnerMissing)
            return ExitCode.environment
        }
        let watcher = FileWatcher(directory: lesson.directory, forcePolling: p.flag("poll"))
        let interactive = console.stdinIsTTY
        let how = watcher.usesInotify ? "inotify" : "polling every 500 ms"
        console.out("Watching \(relative(lesson.directory, w))/ (\(how)). Save \(relative(lesson.mainFile, w)) to check it again.")
        console.out(style.dim(interactive ? "Press q or Ctrl-C to stop." : "Ctrl-C stops."))
        installInterruptHandler()
        if interactive { enterKeyMode() }
        defer { if interactive { restoreTerminal() } }
        let certificates = try? ensureCertificates(w).0
        var debouncer = Debouncer()
        var stdinOpen = interactive
        var pending: [String] = []
        var runs = 0

        func runOnce(reason: String) async {
            debouncer.startRun()
            console.out()
            console.out(style.dim("── \(reason) · \(Self.clockTime(now())) ──"))
            let result = await grade(lesson, w, grader: grader, solution: false, cmd: nil, verbose: p.flag("verbose"), certificates: certificates)
            if result.passed {
                let next = w.catalog.lessons.first { $0.number > lesson.number && $0.problems.isEmpty }
                console.out(style.green("Lesson \(lesson.number) passed.") + (next.map { " Next: \(commandName) lesson \($0.number), then \(commandName) watch \($0.number)." } ?? ""))
            }
            // Saves made while the check ran are ignored: drain them.
            _ = await offPool { watcher.waitForChanges(timeout: .zero) }
            debouncer.finishRun()
            pending = []
            runs += 1
            if let limit = watchRunLimit, runs >= limit { return }
            console.out(style.dim(interactive ? "Watching… (q quits)" : "Watching…"))
        }

        await runOnce(reason: "first check")
        while watchRunLimit.map({ runs < $0 }) ?? true {
            let clock = ContinuousClock()
            let wait = debouncer.waitTime(at: clock.now) ?? .seconds(1)
            let extra: Int32? = stdinOpen ? 0 : nil
            let (changed, stdinReady) = await offPool { watcher.waitForChanges(timeout: wait, extraFD: extra) }
            if stdinReady {
                let (n, byte) = await offPool { () -> (Int, UInt8) in
                    var byte: UInt8 = 0
                    return (read(0, &byte, 1), byte)
                }
                if n <= 0 {
                    stdinOpen = false
                } else if byte == UInt8(ascii: "q") || byte == UInt8(ascii: "Q") || byte == 3 || byte == 4 {
                    console.out("Stopped watching.")
                    return ExitCode.success
                } else if byte == UInt8(ascii: "\n") || byte == UInt8(ascii: "c") {
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
        return ExitCode.success
    }

    static func clockTime(_ date: Date) -> String {
        let f = DateFormatter()
        f.locale = Locale(identifier: "en_US_POSIX")
        f.dateFormat = "HH:mm:ss"
        return f.string(from: date)
    }

    /// Single keys without Enter, no echo; Ctrl-C still interrupts (and restores the terminal).
    func enterKeyMode() {
        var t = termios()
        guard tcgetattr(0, &t) == 0 else { return }
        savedTerminal = t
        var raw = t
        raw.c_lflag &= ~tcflag_t(ICANON | ECHO)
        tcsetattr(0, TCSANOW, &raw)
        if !handlesInterrupts {
            signal(SIGINT) { _ in
                restoreTerminal()
                _exit(130)
            }
        }
    }
}
