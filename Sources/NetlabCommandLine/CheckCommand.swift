import CheckResults
import CheckRuntime
import Foundation
import Workbook

/// `netlab check [N…]`: builds each lesson's program and grades it, with a score table for more
/// than one, and writes the results as JSON or JUnit XML when asked.
struct CheckCommand: NetlabCommand, Equatable {
    static let name = "check"
    static let usage =
        "netlab check [N…] [--solution] [--cmd PROGRAM] [--json FILE [--key KEYFILE] [--student NAME]] [--junit FILE] [--verbose]"
    static let summary = "Builds lesson N's program and runs its checks against it. Without N, checks every lesson and prints a score table."
    static let positionals = CommandSpec.Positionals.lessons
    static let details =
        "Exit status: 0 when every check of every lesson passed, 1 otherwise, 2 for a wrong command line, 3 when netlab cannot run checks here."

    enum Option: String, CommandOption {
        case solution, cmd, json, key, student, junit, verbose

        var form: CommandSpec.Option.Form {
            switch self {
            case .solution: .flag(help: "grade the reference solution (solutions/NN-slug) instead of your file")
            case .cmd: .value("PROGRAM", help: "grade another program (any language); it is started with the lesson's flags; no build")
            case .json: .value("FILE", help: "write results as JSON (Exercism test-runner format v3, with points)")
            case .key: .value("KEYFILE", help: "sign the --json results with this class key (default: the file NETLAB_CLASS_KEY_FILE names)")
            case .student:
                .value(
                    "NAME",
                    help: "who the results are about (default: NETLAB_STUDENT, else git config user.name, else USER); report merges by it")
            case .junit: .value("FILE", help: "write results as JUnit XML")
            case .verbose: .flag(short: "v", help: "show every check in full: unfolded transcripts, passing checks too")
            }
        }
    }

    /// The lessons to check, as given (repeats are checked once); empty: every lesson.
    var lessons: [Int]
    /// `--solution`: grade the reference solution.
    var solution: Bool
    /// `--cmd PROGRAM`: grade another program.
    var cmd: CommandProgram?
    /// `--json FILE`.
    var json: String?
    /// `--key KEYFILE`: sign the `--json` results.
    var key: String?
    /// `--student NAME`: who the results are about.
    var student: String?
    /// `--junit FILE`.
    var junit: String?
    /// `--verbose`.
    var verbose: Bool

    init(_ arguments: CommandArguments<Option>) throws(UsageError) {
        lessons = arguments.lessons
        solution = arguments.flag(.solution)
        json = arguments.value(.json)
        key = arguments.value(.key)
        student = try StudentIdentity.flag(arguments.value(.student))
        junit = arguments.value(.junit)
        verbose = arguments.flag(.verbose)
        cmd = try CommandProgram.option(arguments.value(.cmd), solution: solution, command: Self.name)
    }

    func run(_ cli: NetlabCLI) async throws -> Int32 { try await cli.check(self, try cli.openWorkbook()) }
}

extension NetlabCLI {
    func check(_ c: CheckCommand, _ w: OpenedWorkbook) async throws -> Int32 {
        try validateOutputPaths(["json": c.json, "junit": c.junit], command: "check")
        let lessons: [Lesson]
        if c.lessons.isEmpty {
            lessons = w.catalog.lessons
            if lessons.isEmpty { throw CLIError(message: "there are no lessons to check in lessons/", code: ExitCode.failure) }
        } else {
            var seen = Set<Int>()
            lessons = try c.lessons.filter { seen.insert($0).inserted }.map { try findLesson($0, w, command: "check") }
        }
        let classKey = try resultsSigningKey(key: c.key, json: c.json)
        if let owner = classKey?.student, let flag = c.student, flag != owner {
            throw CLIError(
                message:
                    "--student \(UntrustedText.escaped(flag)): the key signs the results of \(UntrustedText.escaped(owner)) only (it is their own key)",
                code: ExitCode.usage)
        }
        installInterruptHandler()
        // Made now, so that `netlab run` and the commands the verdicts print find them.
        _ = try? ensureCertificates(w)
        var results: [LessonResult] = []
        for (i, lesson) in lessons.enumerated() {
            if i > 0 { console.out() }
            let result = await grade(
                lesson, w, solution: c.solution, cmd: c.cmd, verbose: c.verbose,
                brief: lessons.count > 1 && !c.verbose)
            results.append(result)
        }
        if lessons.count > 1 {
            console.out()
            console.out(CheckPrinter(style: style, verbose: false).scoreTable(results))
            if !c.verbose, let failing = results.first(where: { !$0.passed && $0.error == nil }) {
                console.out(
                    style.dim(
                        "Transcripts of the failing checks: \(commandName) check N (for example \(commandName) check \(failing.number)), or --verbose here."
                    ))
            }
        }
        try await writeMachineResults(c, results, w, single: c.lessons.count == 1, key: classKey)
        if lessons.count == 1, let only = results.first, only.passed, c.cmd == nil, !c.solution {
            let next = w.catalog.lessons.first { $0.number > only.number && $0.problems.isEmpty }
            console.out()
            console.out(
                style.green("Lesson \(only.number) passed.") + " Compare with the reference: \(style.bold("\(commandName) solution \(only.number)"))"
                    + (next.map { ". Next: \(style.bold("\(commandName) lesson \($0.number)"))" } ?? ""))
        }
        return results.allSatisfy(\.passed) ? ExitCode.success : ExitCode.failure
    }

    /// Writes `--json` (signed with `key` when there is one; see ``ResultsSignature``) and `--junit`.
    func writeMachineResults(
        _ c: CheckCommand, _ results: [LessonResult], _ w: OpenedWorkbook, single: Bool, key: ClassKey? = nil
    ) async throws {
        var scriptLines: [String: [String]] = [:]
        for r in results {
            if let file = w.catalog.lesson(number: r.number)?.checksFile, let text = try? String(contentsOf: file, encoding: .utf8) {
                scriptLines[r.slug] = text.split(separator: "\n", omittingEmptySubsequences: false).map {
                    $0.hasSuffix("\r") ? String($0.dropLast()) : String($0)
                }
            }
        }
        if let json = c.json {
            // A student's own key names them: results signed with it verify as theirs only.
            let identity =
                if let owner = key?.student {
                    StudentIdentity(name: owner, source: "the student key")
                } else {
                    await StudentIdentity.resolve(
                        flag: c.student, environment: environment, gitUserName: { await StudentIdentity.gitUserName(in: w.root) })
                }
            let student = identity?.name
            let docs = results.map { ResultsJSON.document(for: $0, scriptLines: scriptLines[$0.slug] ?? [], student: student, date: now()) }
            let encoded =
                single && docs.count == 1
                ? try ResultsJSON.encode(docs[0])
                : try ResultsJSON.encode(ResultsJSON.bundle(docs, student: student, date: now()))
            let data = try key.map { try ResultsSignature.sign(encoded, key: $0) } ?? encoded
            let url = resolve(json)
            do {
                try data.write(to: url, options: .atomic)
            } catch {
                throw CLIError(message: "cannot write \(json): \(error.localizedDescription)", code: ExitCode.failure)
            }
            let who = identity.map { " for \(UntrustedText.escaped($0.name)) (from \($0.source); --student NAME to change it)" } ?? ""
            console.out(style.dim("Results: \(json) (JSON\(key == nil ? "" : ", signed with the class key"))\(who)"))
        }
        if let junit = c.junit {
            let url = resolve(junit)
            do {
                try JUnitXML.render(results).write(to: url, atomically: true, encoding: .utf8)
            } catch {
                throw CLIError(message: "cannot write \(junit): \(error.localizedDescription)", code: ExitCode.failure)
            }
            console.out(style.dim("Results: \(junit) (JUnit XML)"))
        }
    }

    /// The key `check --json` signs with: `--key`, else NETLAB_CLASS_KEY_FILE; nil for neither.
    /// Read before any check runs, so that a wrong key file is said at once.
    func resultsSigningKey(key: String?, json: String?) throws -> ClassKey? {
        if let path = key {
            guard json != nil else {
                throw UsageError("`--key` signs the results of `--json FILE`; give --json too", command: "check")
            }
            return try readClassKey(path)
        }
        guard json != nil, let path = environment[Self.classKeyVariable], !path.isEmpty else { return nil }
        return try readClassKey(path)
    }
}
