import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// The terminal settings to restore when `watch` ends (it turns off line buffering and echo so a
/// single `q` quits).
nonisolated(unsafe) private var savedTerminal: termios?

private func restoreTerminal() {
    if var t = savedTerminal { tcsetattr(0, TCSANOW, &t) }
}

extension NetlabCLI {
    // MARK: - run

    func runLesson(_ p: ParsedCommand, _ w: Workbook) async throws -> Int32 {
        if p.flag("solution"), p.value("cmd") != nil {
            throw UsageError("give either --solution or --cmd, not both", command: "run")
        }
        let lesson = try findLesson(p.lessons[0], w, command: "run")
        if !lesson.problems.isEmpty, p.value("cmd") == nil {
            throw CLIError(message: "lesson \(lesson.number) cannot be built: \(lesson.problems.joined(separator: "; "))", code: ExitCode.failure)
        }
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
    /// ready line (`netlab: listening on HOST:PORT`) is answered with how to connect. Ctrl-C and
    /// SIGTERM stop it (it gets SIGTERM, then SIGKILL after 3 s).
    static func runForeground(_ executable: String, _ arguments: [String], directory: URL, console: Console, style: Style) -> Int32 {
        let process = Process()
        if executable.contains("/") {
            process.executableURL = URL(fileURLWithPath: executable)
            process.arguments = arguments
        } else {
            process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            process.arguments = [executable] + arguments
        }
        let out = Pipe()
        process.standardOutput = out
        process.standardError = FileHandle.standardError
        process.standardInput = FileHandle.standardInput
        signal(SIGINT, SIG_IGN)
        signal(SIGTERM, SIG_IGN)
        let queue = DispatchQueue(label: "netlab.run.signals")
        let stopped = ProcessRunner.Collected()
        var sources: [DispatchSourceSignal] = []
        do {
            try process.run()
        } catch {
            console.err("netlab: cannot start \(executable): \(error.localizedDescription)")
            return ExitCode.failure
        }
        let pid = process.processIdentifier
        for sig in [SIGINT, SIGTERM] {
            let source = DispatchSource.makeSignalSource(signal: sig, queue: queue)
            source.setEventHandler {
                stopped.markTimedOut()
                kill(pid, SIGTERM)
                queue.asyncAfter(deadline: .now() + 3) { kill(pid, SIGKILL) }
            }
            source.resume()
            sources.append(source)
        }
        let reader = Thread {
            var pending = ""
            var announced = false
            while true {
                let data = out.fileHandleForReading.availableData
                if data.isEmpty { break }
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
        process.waitUntilExit()
        for s in sources { s.cancel() }
        signal(SIGINT, SIG_DFL)
        signal(SIGTERM, SIG_DFL)
        let status = process.terminationStatus
        if !stopped.running, process.terminationReason == .uncaughtSignal || status == 0 || status == 143 {
            // Stopped by Ctrl-C / SIGTERM: that is the normal way to end `netlab run`.
            console.err(style.dim("netlab: stopped."))
            return ExitCode.success
        }
        if process.terminationReason == .uncaughtSignal {
            console.err("netlab: the program was killed by signal \(status)")
            return ExitCode.failure
        }
        if status != 0 { console.err("netlab: the program exited with status \(status)") }
        return status == 0 ? ExitCode.success : ExitCode.failure
    }

    // MARK: - watch

    func watch(_ p: ParsedCommand, _ w: Workbook) async throws -> Int32 {
        let lesson: Lesson
        if let n = p.lessons.first {
            lesson = try findLesson(n, w, command: "watch")
        } else if let next = nextLesson(w, w.store.load()) {
            lesson = next
        } else {
            throw CLIError(message: "every lesson has passed; give a lesson number to watch one anyway: `netlab watch N`", code: ExitCode.failure)
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
        if interactive { enterKeyMode() }
        defer { if interactive { restoreTerminal() } }
        let certificates = try? ensureCertificates(w).0
        var debouncer = Debouncer()
        var stdinOpen = interactive

        func runOnce(reason: String) async {
            debouncer.startRun()
            console.out()
            console.out(style.dim("── \(reason) · \(Self.clockTime(now())) ──"))
            let result = await grade(lesson, w, grader: grader, solution: false, cmd: nil, verbose: p.flag("verbose"), certificates: certificates)
            if result.passed {
                let next = w.catalog.lessons.first { $0.number > lesson.number && $0.problems.isEmpty }
                console.out(style.green("Lesson \(lesson.number) passed.") + (next.map { " Next: netlab lesson \($0.number), then netlab watch \($0.number)." } ?? ""))
            }
            // Saves made while the check ran are ignored: drain them.
            _ = await Self.offPool { watcher.waitForChanges(timeout: .zero) }
            debouncer.finishRun()
            console.out(style.dim(interactive ? "Watching… (q quits)" : "Watching…"))
        }

        await runOnce(reason: "first check")
        while true {
            let clock = ContinuousClock()
            let wait = debouncer.waitTime(at: clock.now) ?? .seconds(1)
            let extra: Int32? = stdinOpen ? 0 : nil
            let (changed, stdinReady) = await Self.offPool { watcher.waitForChanges(timeout: wait, extraFD: extra) }
            if stdinReady {
                var byte: UInt8 = 0
                let n = read(0, &byte, 1)
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
            if !changed.isEmpty { debouncer.changed(at: clock.now) }
            if debouncer.isDue(at: clock.now) {
                await runOnce(reason: "changed: \(changed.isEmpty ? "files" : changed.joined(separator: ", "))")
            }
        }
    }

    static func clockTime(_ date: Date) -> String {
        let f = DateFormatter()
        f.locale = Locale(identifier: "en_US_POSIX")
        f.dateFormat = "HH:mm:ss"
        return f.string(from: date)
    }

    /// Runs blocking work on a Dispatch thread, not on the cooperative pool.
    static func offPool<T: Sendable>(_ work: @escaping @Sendable () -> T) async -> T {
        await withCheckedContinuation { c in
            DispatchQueue.global().async { c.resume(returning: work()) }
        }
    }

    /// Single keys without Enter, no echo; Ctrl-C still interrupts (and restores the terminal).
    func enterKeyMode() {
        var t = termios()
        guard tcgetattr(0, &t) == 0 else { return }
        savedTerminal = t
        var raw = t
        raw.c_lflag &= ~tcflag_t(ICANON | ECHO)
        tcsetattr(0, TCSANOW, &raw)
        signal(SIGINT) { _ in
            restoreTerminal()
            _exit(130)
        }
    }
}
