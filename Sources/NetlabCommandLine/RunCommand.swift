import CheckLanguage
import CheckRuntime
import Foundation
import ProcessSupervision
import Workbook

/// `netlab run N`: builds the lesson's program and runs it in the foreground, with what its
/// checks start around it (``RunPlan``, ``RunSession``), and says how to talk to it.
struct RunCommand: NetlabCommand, Equatable {
    static let name = "run"
    static let usage = "netlab run N [--solution] [--cmd PROGRAM] [-- FLAGS…]"
    static let summary = "Builds lesson N's program and runs it in the foreground, so you can talk to it with nc, curl or openssl. Ctrl-C stops it."
    static let positionals = CommandSpec.Positionals.oneLesson
    static let passthrough = true
    static let details =
        "netlab starts the program the way the lesson's checks do (the `upstream` and `start` lines of its checks.netlab):"
        + " it starts the upstreams the program needs (an echo server for lessons 4 and 7, two TLS echo servers for lesson 6),"
        + " passes the development certificate from .netlab/certs/ (`netlab cert`), listens on a free port, and prints the"
        + " commands to talk to it (nc, openssl s_client, curl) with that port. FLAGS after `--` replace the checks' flags of"
        + " the same name (`-- --upstream 127.0.0.1:9000` starts no upstream). Ctrl-C stops the program and the upstreams."

    enum Option: String, CommandOption {
        case solution, cmd

        var form: CommandSpec.Option.Form {
            switch self {
            case .solution: .flag(help: "run the reference solution instead of your file")
            case .cmd: .value("PROGRAM", help: "run another program instead of building one")
            }
        }
    }

    var lesson: Int
    /// `--solution`: run the reference solution.
    var solution: Bool
    /// `--cmd PROGRAM`: run another program.
    var cmd: CommandProgram?
    /// The learner's flags after `--`: they replace the checks' flags of the same name.
    var flags: [String]

    init(_ arguments: CommandArguments<Option>) throws(UsageError) {
        lesson = arguments.lesson
        solution = arguments.flag(.solution)
        cmd = try CommandProgram.option(arguments.value(.cmd), solution: solution, command: Self.name)
        flags = arguments.passthrough
    }

    func run(_ cli: NetlabCLI) async throws -> Int32 { try await cli.runLesson(self, try cli.openWorkbook()) }
}

extension NetlabCLI {
    func runLesson(_ c: RunCommand, _ w: OpenedWorkbook) async throws -> Int32 {
        let lesson = try findLesson(c.lesson, w, command: "run")
        let buildable = Catalog.parseFolderName(lesson.slug) != nil && FileManager.default.fileExists(atPath: lesson.mainFile.path)
        if !buildable, c.cmd == nil {
            throw CLIError(message: "lesson \(lesson.number) cannot be built: \(lesson.problems.joined(separator: "; "))", code: ExitCode.failure)
        }
        // Ctrl-C, SIGTERM or SIGHUP during the build stops `swift build` (in a process group
        // of its own, out of the terminal's reach) before netlab exits; ``Interrupt`` hands them
        // to runForeground (``Interrupt/intercepting(with:while:)``) once the program runs.
        installInterruptHandler()
        let (program, why) = await program(for: lesson, solution: c.solution, cmd: c.cmd, w)
        guard let program else { throw CLIError(message: why ?? "the program could not be built", code: ExitCode.failure) }
        let session = try startSession(for: lesson, program: program, flags: c.flags, w)
        defer { session?.stop() }
        let arguments = session?.arguments ?? Self.withListen(program.launch.arguments + c.flags)
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
                console.out(
                    style.dim(
                        "Certificate: \(displayPath(certificates.cert)), trusted through \(displayPath(certificates.ca)) (`\(commandName) cert` explains)"
                    ))
            }
        }
        console.out(
            "Running \(program.displayName): \(style.bold(([program.launch.executable] + arguments).map(shellQuoted).joined(separator: " ")))")
        console.out(style.dim("Ctrl-C stops it\(session?.peers.isEmpty == false ? " and the upstreams" : "")."))
        let console = self.console
        let style = self.style
        let poke: @Sendable (String, String) -> [String] = { [workingDirectory] host, port in
            session?.pokeCommands(host: host, port: port, path: { Self.displayPath($0, from: workingDirectory) })
                ?? ["nc \(host) \(port)"]
        }
        let status = await withCheckedContinuation { (c: CheckedContinuation<Int32, Never>) in
            let thread = Thread {
                c.resume(
                    returning: Self.runForeground(
                        program.launch.executable, arguments, directory: w.root, console: console, style: style,
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
            return try RunSession(
                plan: plan, script: script, lessonDirectory: lesson.directory, program: program,
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
}
