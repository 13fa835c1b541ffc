import CheckLanguage
import CheckResults
import CheckRuntime
import Foundation
import NetTLS
import ProcessSupervision
import Synchronization
import Workbook

extension NetlabCLI {
    /// Splits `--cmd "./proxy --verbose"` into words: spaces separate, single and double quotes
    /// group, a backslash escapes the next character (not inside single quotes). A quote that
    /// is never closed, or a backslash at the very end, is refused (a usage error naming it):
    /// guessing what was meant would run some other program than the one asked for.
    static func splitCommand(_ text: String) throws(UsageError) -> [String] {
        var words: [String] = []
        var current = ""
        var has = false
        var quote: (character: Character, position: Int)?
        var escape = false
        for (position, c) in text.enumerated() {
            if escape { current.append(c); escape = false; has = true; continue }
            if c == "\\" && quote?.character != "'" { escape = true; continue }
            if let q = quote {
                if c == q.character { quote = nil } else { current.append(c) }
                continue
            }
            if c == "\"" || c == "'" { quote = (c, position + 1); has = true; continue }
            if c == " " || c == "\t" {
                if has { words.append(current); current = ""; has = false }
                continue
            }
            current.append(c)
            has = true
        }
        if let quote {
            let name = quote.character == "'" ? "single" : "double"
            throw UsageError("`--cmd` has an unterminated quote: the \(name) quote (\(quote.character)) at character "
                             + "\(quote.position) of \(Bytes.quoted(Array(text.utf8))) is never closed", command: "check")
        }
        if escape {
            throw UsageError("`--cmd` ends with a backslash that escapes nothing: \(Bytes.quoted(Array(text.utf8)))",
                             command: "check")
        }
        if has { words.append(current) }
        return words
    }

    /// The program for `--cmd`: a path with a slash is made absolute from the working directory.
    /// A command that cannot be split, or names no program, is a usage error (for `command`).
    func commandProgram(_ text: String, command: String = "check") throws(UsageError) -> ProgramSpec {
        let words: [String]
        do {
            words = try Self.splitCommand(text)
        } catch {
            throw UsageError(error.message, command: command)
        }
        guard var exe = words.first else { throw UsageError("`--cmd` needs a program", command: command) }
        if exe.contains("/"), !exe.hasPrefix("/") {
            exe = resolve(exe).standardizedFileURL.path
        }
        return ProgramSpec(executable: exe, arguments: Array(words.dropFirst()), kind: .command, displayName: text)
    }

    /// Builds the program a lesson is graded with, printing trimmed errors when it does not
    /// build. Returns nil (with the reason) on failure.
    func program(for lesson: Lesson, solution: Bool, cmd: String?, _ w: OpenedWorkbook) async throws -> (ProgramSpec?, String?) {
        if let cmd { return (try commandProgram(cmd), nil) }
        if solution, lesson.solutionDirectory == nil {
            return (nil, "lesson \(lesson.number) has no reference solution (solutions/\(lesson.slug)/main.swift)")
        }
        let product = solution ? lesson.solutionProductName : lesson.productName
        let file = solution ? lesson.solutionFile! : lesson.mainFile
        let display = relative(file, w)
        console.out(style.dim("Building \(product) (\(display))…"))
        // On a terminal, SwiftPM's progress (`[12/80] Compiling …`) is shown on one line.
        let console = self.console
        var progress: (@Sendable (String) -> Void)? = nil
        if console.stdoutIsTTY {
            progress = { (line: String) in console.raw("\r\u{1B}[K" + String(line.prefix(76))) }
        }
        let buildStart = ContinuousClock.now
        let outcome = await makeBuilder(w.root).build(product: product, learnerFile: display, style: style, progress: progress)
        timings.add("build", ContinuousClock.now - buildStart)
        if console.stdoutIsTTY { console.raw("\r\u{1B}[K") }
        if let binary = outcome.binary {
            return (ProgramSpec(executable: binary.path, kind: solution ? .solution : .lesson, displayName: display), nil)
        }
        console.out(style.red("✗ \(display) does not build.") + "\n")
        console.out(outcome.failure ?? "the build failed")
        return (nil, "\(display) does not build (`\(outcome.command)` shows everything):\n\(outcome.plainFailure ?? "")")
    }

    /// Makes `.netlab/certs/` if needed and returns the paths (nil if it cannot be made).
    func ensureCertificates(_ w: OpenedWorkbook, force: Bool = false) throws -> (CertificatePaths, created: Bool) {
        let dir = w.root.appendingPathComponent(".netlab/certs")
        let paths = CertificatePaths(ca: dir.appendingPathComponent("ca.pem"), caKey: dir.appendingPathComponent("ca-key.pem"),
                                     cert: dir.appendingPathComponent("localhost.pem"), key: dir.appendingPathComponent("localhost-key.pem"))
        let fm = FileManager.default
        let all = [paths.ca, paths.caKey, paths.cert, paths.key].allSatisfy { fm.fileExists(atPath: $0.path) }
        if all, !force { return (paths, false) }
        try fm.createDirectory(at: dir, withIntermediateDirectories: true)
        let ca: DevCA
        if !force, fm.fileExists(atPath: paths.ca.path), fm.fileExists(atPath: paths.caKey.path),
           let loaded = try? DevCA.load(certificatePEMFile: paths.ca.path, keyPEMFile: paths.caKey.path) {
            ca = loaded
        } else {
            ca = try DevCA.create()
            try ca.write(certificateTo: paths.ca.path, keyTo: paths.caKey.path)
        }
        let leaf = try ca.issue(names: Self.certificateNames)
        try leaf.write(certificateTo: paths.cert.path, keyTo: paths.key.path)
        return (paths, true)
    }

    /// `*.test` alone is not enough: curl and OpenSSL refuse a wildcard right under a top-level
    /// name, so the names the lessons use are listed too.
    static let certificateNames = ["localhost", "example.test", "a.test", "b.test", "c.test", "*.test", "127.0.0.1", "::1"]

    // MARK: - check

    func check(_ p: ParsedCommand, _ w: OpenedWorkbook) async throws -> Int32 {
        if p.flag("solution"), p.value("cmd") != nil {
            throw UsageError("give either --solution or --cmd, not both", command: "check")
        }
        // A broken --cmd is refused before anything is built or started.
        if let cmd = p.value("cmd") { _ = try commandProgram(cmd, command: "check") }
        try validateOutputPaths(p, command: "check")
        let lessons: [Lesson]
        if p.lessons.isEmpty {
            lessons = w.catalog.lessons
            if lessons.isEmpty { throw CLIError(message: "there are no lessons to check in lessons/", code: ExitCode.failure) }
        } else {
            var seen = Set<Int>()
            lessons = try p.lessons.filter { seen.insert($0).inserted }.map { try findLesson($0, w, command: "check") }
        }
        let classKey = try resultsSigningKey(p)
        installInterruptHandler()
        let certificates = try? ensureCertificates(w).0
        var results: [LessonResult] = []
        for (i, lesson) in lessons.enumerated() {
            if i > 0 { console.out() }
            let result = await grade(lesson, w, grader: grader, solution: p.flag("solution"), cmd: p.value("cmd"),
                                     verbose: p.flag("verbose"), brief: lessons.count > 1 && !p.flag("verbose"),
                                     certificates: certificates)
            results.append(result)
        }
        if lessons.count > 1 {
            console.out()
            console.out(CheckPrinter(style: style, verbose: false).scoreTable(results))
            if !p.flag("verbose"), let failing = results.first(where: { !$0.passed && $0.error == nil }) {
                console.out(style.dim("Transcripts of the failing checks: \(commandName) check N (for example \(commandName) check \(failing.number)), or --verbose here."))
            }
        }
        try writeMachineResults(p, results, w, single: p.lessons.count == 1, key: classKey)
        if lessons.count == 1, let only = results.first, only.passed, p.value("cmd") == nil, !p.flag("solution") {
            let next = w.catalog.lessons.first { $0.number > only.number && $0.problems.isEmpty }
            console.out()
            console.out(style.green("Lesson \(only.number) passed.") + " Compare with the reference: \(style.bold("\(commandName) solution \(only.number)"))"
                        + (next.map { ". Next: \(style.bold("\(commandName) lesson \($0.number)"))" } ?? ""))
        }
        return results.allSatisfy(\.passed) ? ExitCode.success : ExitCode.failure
    }

    /// Builds (unless `--cmd`) and grades one lesson, printing as it goes, and records the result.
    func grade(_ lesson: Lesson, _ w: OpenedWorkbook, grader: any LessonGrader, solution: Bool, cmd: String?, verbose: Bool,
               brief: Bool = false, certificates: CertificatePaths?) async -> LessonResult {
        let runCommand = "\(commandName) run \(lesson.number)" + (cmd.map { " --cmd \(shellQuoted($0))" } ?? (solution ? " --solution" : ""))
        let printer = CheckPrinter(style: style, verbose: verbose, brief: brief, runCommand: runCommand)
        let verdicts = VerdictStream(printer: printer)
        let shownFile = cmd ?? relative(solution ? (lesson.solutionFile ?? lesson.mainFile) : lesson.mainFile, w)
        console.out(printer.header(lesson: lesson, program: shownFile))
        func failed(_ error: String) -> LessonResult {
            LessonResult(number: lesson.number, slug: lesson.slug, title: lesson.title, error: error, checks: [])
        }
        var result: LessonResult
        var buildFailed = false
        if !lesson.problems.isEmpty {
            result = failed(lesson.problems.joined(separator: "; "))
        } else {
            do {
                let (program, why) = try await program(for: lesson, solution: solution, cmd: cmd, w)
                if let program {
                    let options = RunOptions(verbose: verbose)
                    let console = self.console
                    let progress = CheckProgress(names: Self.checkNames(lesson, command: program.kind == .command),
                                                 enabled: console.stdoutIsTTY, style: style) { console.raw($0) }
                    let position = Mutex(0)
                    let checksStart = ContinuousClock.now
                    progress.start()
                    result = await grader.grade(lesson: lesson, program: program, options: options) { check in
                        let text = verdicts.render(check)
                        let index = position.withLock { p in defer { p += 1 }; return p }
                        progress.finished(index, print: text)
                    }
                    progress.stop()
                    timings.add("checks", ContinuousClock.now - checksStart)
                } else {
                    result = failed(why ?? "the program could not be built")
                    buildFailed = true
                }
            } catch {
                result = failed("\(error)")
            }
        }
        console.out(printer.summary(result, detailsShown: buildFailed))
        if !brief, let note = verdicts.closingNote(command: "\(commandName) check \(lesson.number)") { console.out(note) }
        let date = now()
        saveState(w) { $0.record(result, at: date, other: solution || cmd != nil) }
        return result
    }

    /// The names of the lesson's checks in the order they run (with the lesson contract's
    /// checks after them for a `--cmd` program), for the "running" line; empty when the
    /// script cannot be read or parsed (the grader reports why).
    static func checkNames(_ lesson: Lesson, command: Bool) -> [String] {
        guard let file = lesson.checksFile, let source = try? String(contentsOf: file, encoding: .utf8),
              let script = try? CheckScript.parse(source: source, file: file.lastPathComponent) else { return [] }
        var names = script.checks.map(\.name)
        if command, let contract = ContractChecks.script(forLessonSource: source),
           let parsed = try? CheckScript.parse(source: contract, file: file.lastPathComponent) {
            names += parsed.checks.map(\.name)
        }
        return names
    }

    /// Writes `--json` (signed with `key` when there is one; see ``ResultsSignature``) and `--junit`.
    func writeMachineResults(_ p: ParsedCommand, _ results: [LessonResult], _ w: OpenedWorkbook, single: Bool, key: ClassKey? = nil) throws {
        var scriptLines: [String: [String]] = [:]
        for r in results {
            if let file = w.catalog.lesson(number: r.number)?.checksFile, let text = try? String(contentsOf: file, encoding: .utf8) {
                scriptLines[r.slug] = text.split(separator: "\n", omittingEmptySubsequences: false).map {
                    $0.hasSuffix("\r") ? String($0.dropLast()) : String($0)
                }
            }
        }
        let student = environment["NETLAB_STUDENT"] ?? environment["USER"]
        if let json = p.value("json") {
            let docs = results.map { ResultsJSON.document(for: $0, scriptLines: scriptLines[$0.slug] ?? [], student: student, date: now()) }
            let encoded = single && docs.count == 1
                ? try ResultsJSON.encode(docs[0])
                : try ResultsJSON.encode(ResultsJSON.bundle(docs, student: student, date: now()))
            let data = try key.map { try ResultsSignature.sign(encoded, key: $0) } ?? encoded
            let url = resolve(json)
            do {
                try data.write(to: url, options: .atomic)
            } catch {
                throw CLIError(message: "cannot write \(json): \(error.localizedDescription)", code: ExitCode.failure)
            }
            console.out(style.dim("Results: \(json) (JSON\(key == nil ? "" : ", signed with the class key"))"))
        }
        if let junit = p.value("junit") {
            let url = resolve(junit)
            do {
                try JUnitXML.render(results).write(to: url, atomically: true, encoding: .utf8)
            } catch {
                throw CLIError(message: "cannot write \(junit): \(error.localizedDescription)", code: ExitCode.failure)
            }
            console.out(style.dim("Results: \(junit) (JUnit XML)"))
        }
    }

    /// Ctrl-C during `check`/`watch`: stop what the runner started, restore the terminal, exit 130.
    func installInterruptHandler() {
        guard handlesInterrupts else { return }
        let hook = onInterrupt
        Interrupt.install(console: console) {
            hook()
            restoreTerminalAfterWatch()
        }
    }

    // MARK: - cert

    func cert(_ p: ParsedCommand, _ w: OpenedWorkbook) throws -> Int32 {
        let (paths, created) = try ensureCertificates(w, force: p.flag("force"))
        let r = { (u: URL) in self.relative(u, w) }
        console.out(created ? "Made a development CA and a certificate for localhost:" : "The development CA and localhost certificate already exist (`netlab cert --force` makes new ones):")
        console.out()
        console.out("  CA certificate     \(style.bold(r(paths.ca)))   trust this one in clients")
        console.out("  CA private key     \(r(paths.caKey))   keep it private; never share it")
        console.out("  certificate        \(style.bold(r(paths.cert)))   for \(Self.certificateNames.joined(separator: ", "))")
        console.out("  private key        \(style.bold(r(paths.key)))")
        console.out()
        console.out("Checks use them as {ca}, {cert} and {key}. To run a TLS lesson by hand:")
        console.out("  \(commandName) run N -- --cert \(r(paths.cert)) --key \(r(paths.key))")
        console.out("and talk to it (PORT is the one netlab run prints):")
        console.out("  openssl s_client -connect 127.0.0.1:PORT -servername localhost -CAfile \(r(paths.ca))")
        console.out("  curl --cacert \(r(paths.ca)) https://localhost:PORT/")
        console.out()
        console.out(style.dim("Only programs you point at \(r(paths.ca)) trust it; nothing is added to the system's trust store."))
        return ExitCode.success
    }
}
