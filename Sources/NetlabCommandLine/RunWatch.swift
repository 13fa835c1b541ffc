import CheckLanguage
import CheckRuntime
#if canImport(Glibc)
import Foundation
import Glibc
import ProcessSupervision
import Workbook
#endif

/// The program `netlab run` started, for the signal handlers.
nonisolated(unsafe) private var runChildPID: pid_t = 0
nonisolated(unsafe) private var runStopRequested: Int32 = 0

extension NetlabCLI {
    // MARK: - run

    func runLesson(_ p: ParsedCommand, _ w: OpenedWorkbook) async throws -> Int32 {
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
        let session = try startSession(for: lesson, program: program, flags: p.passthrough, w)
        defer { session?.stop() }
        let arguments = session?.arguments ?? Self.withListen(program.launch.arguments + p.passthrough)
        if let session {
            if !session.plan.replaced.isEmpty {
                let list = session.plan.replaced.joined(separator: ", ")
                console.out(style.dim("Your \(list) replace\(session.plan.replaced.count == 1 ? "s" : "") the checks' own."))
            }
            let lines = session.upstreamLines
            if !lines.isEmpty {
                console.out("Started for it, as the checks do:")
                for line in lines { console.out("  " + line) }
            }
            if let certificates = session.certificates {
                console.out(style.dim("Certificate: \(displayPath(certificates.cert)), trusted through \(displayPath(certificates.ca)) (`\(commandName) cert` explains)"))
            }
        }
        console.out("Running \(program.displayName): \(style.bold(([program.launch.executable] + arguments).map(shellQuoted).joined(separator: " ")))")
        console.out(style.dim("Ctrl-C stops it\(session?.peers.isEmpty == false ? " and the upstreams" : "")."))
        let console = self.console
        let style = self.style
        let poke: @Sendable (String, String) -> [String] = { [workingDirectory] host, port in
            session?.pokeCommands(host: host, port: port, path: { Self.displayPath($0, from: workingDirectory) })
                ?? ["nc \(host) \(port)"]
        }
        let status = await withCheckedContinuation { (c: CheckedContinuation<Int32, Never>) in
            let thread = Thread {
                c.resume(returning: Self.runForeground(program.launch.executable, arguments, directory: w.root, console: console, style: style,
                                                       poke: poke))
            }
            thread.name = "netlab run"
            thread.start()
        }
        return status
    }

    /// Reads the lesson's checks.netlab and starts what its header says (``RunPlan``,
    /// ``RunSession``). nil, with a warning, when the file is missing or does not parse: then
    /// the program gets `--listen` and the learner's flags only.
    func startSession(for lesson: Lesson, program: ProgramSpec, flags: [String], _ w: OpenedWorkbook) throws -> RunSession? {
        guard let file = lesson.checksFile, let source = try? String(contentsOf: file, encoding: .utf8) else { return nil }
        let script: CheckScript
        do {
            script = try CheckScript.parse(source: source, file: relative(file, w))
        } catch {
            console.err("netlab: warning: \(relative(file, w)) does not parse, so netlab starts nothing for the program (\(error))")
            return nil
        }
        let plan = RunPlan(script: script, learnerFlags: flags)
        var certificates: CertificatePaths?
        if plan.needsCertificate {
            do {
                certificates = try ensureCertificates(w).0
            } catch {
                throw CLIError(message: "cannot make the development certificate in .netlab/certs/: \(error)", code: ExitCode.failure)
            }
        }
        do {
            return try RunSession(plan: plan, script: script, lessonDirectory: lesson.directory, program: program,
                                  certificates: certificates)
        } catch let error as CheckError {
            throw CLIError(message: "cannot start what lesson \(lesson.number)'s program needs: \(error.message)", code: ExitCode.failure)
        } catch {
            throw CLIError(message: "cannot start what lesson \(lesson.number)'s program needs: \(error)", code: ExitCode.failure)
        }
    }

    /// `--listen 127.0.0.1:0` in front of `arguments` unless they have a `--listen`.
    static func withListen(_ arguments: [String]) -> [String] {
        arguments.contains { $0 == "--listen" || $0.hasPrefix("--listen=") } ? arguments : ["--listen", "127.0.0.1:0"] + arguments
    }

    /// A file as the learner should type it: relative to the directory netlab runs in when it is
    /// inside it, else absolute.
    func displayPath(_ url: URL) -> String { Self.displayPath(url, from: workingDirectory) }

    static func displayPath(_ url: URL, from directory: URL) -> String {
        let base = directory.standardizedFileURL.path
        let path = url.standardizedFileURL.path
        return path.hasPrefix(base + "/") ? String(path.dropFirst(base.count + 1)) : path
    }

    /// Runs a program with the terminal's stdin and stderr; its stdout is passed through, and the
    /// ready line (`netlab: listening on HOST:PORT`) is answered with how to connect. Ctrl-C,
    /// SIGTERM and SIGHUP stop it (it gets SIGTERM, then SIGKILL after 3 s); when it ends, so
    /// does whatever it started (``ProcessTree``), and if netlab dies first the kernel kills it.
    static func runForeground(_ executable: String, _ arguments: [String], directory: URL, console: Console, style: Style,
                              poke: @escaping @Sendable (_ host: String, _ port: String) -> [String]) -> Int32 {
        let output: ProcessPipe
        do throws(ProcessPipe.Failure) { output = try ProcessPipe.make() } catch {
            console.err("netlab: \(error)")
            return ExitCode.failure
        }
        let pid: pid_t
        let token = ProcessTree.newToken()
        do {
            pid = try ProcessRunner.spawn([executable] + arguments, stdinNull: false, stdout: output.write, stderr: nil,
                                          newProcessGroup: false, treeToken: token)
        } catch {
            output.close()
            console.err("netlab: \(error)")
            return ExitCode.failure
        }
        close(output.write)
        let readFD = output.read
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
                        console.err(style.dim("netlab: talk to it from another terminal:"))
                        for command in poke(host, String(port)) {
                            let parts = command.components(separatedBy: "    # ")
                            console.err("  " + style.bold(parts[0]) + (parts.count > 1 ? style.dim("    # " + parts[1...].joined(separator: "    # ")) : ""))
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
}
