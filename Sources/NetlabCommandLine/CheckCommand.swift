import CheckResults
import CheckRuntime
import ClassBoard
import Foundation
import Workbook

/// `netlab check [N…]`: builds each lesson's program and grades it, with a score table for more
/// than one, and writes the results as JSON or JUnit XML when asked.
struct CheckCommand: NetlabCommand, Equatable {
    static let name = "check"
    static let usage =
        "netlab check [N…] [--solution] [--cmd PROGRAM] [--json FILE] [--submit URL] [--key KEYFILE] [--student NAME] [--junit FILE] [--verbose]"
    static let summary = "Builds lesson N's program and runs its checks against it. Without N, checks every lesson and prints a score table."
    static let positionals = CommandSpec.Positionals.lessons
    static let details =
        "Exit status: 0 when every check of every lesson passed, 1 otherwise, 2 for a wrong command line, 3 when netlab cannot run checks here."

    enum Option: String, CommandOption {
        case solution, cmd, json, submit, key, student, junit, verbose

        var form: CommandSpec.Option.Form {
            switch self {
            case .solution: .flag(help: "grade the reference solution (solutions/NN-slug) instead of your file")
            case .cmd: .value("PROGRAM", help: "grade another program (any language); it is started with the lesson's flags; no build")
            case .json: .value("FILE", help: "write results as JSON (Exercism test-runner format v3, with points)")
            case .submit:
                .value("URL", help: "post each lesson's signed results to the class board at URL as it finishes (default: NETLAB_SUBMIT_URL)")
            case .key:
                .value(
                    "KEYFILE", help: "sign the --json and --submit results with this class key (default: the file NETLAB_CLASS_KEY_FILE names)")
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
    /// `--submit URL`: post each lesson's results to the class board.
    var submit: String?
    /// `--key KEYFILE`: sign the `--json` and `--submit` results.
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
        submit = arguments.value(.submit)
        if submit != nil, solution {
            throw UsageError("--submit posts your own program's results; the reference solution's are not yours to post", command: Self.name)
        }
        if let submit, BoardClient.target(submit) == nil {
            throw UsageError("--submit \(UntrustedText.escaped(submit)): the board's URL is http://HOST:PORT/", command: Self.name)
        }
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
        // NETLAB_SUBMIT_URL is for the student's own program: --solution never posts.
        let submitURL = c.solution ? nil : try boardURL(c)
        // The reference solution's results are never signed: a signature vouches for a student's run.
        let classKey = c.solution ? nil : try resultsSigningKey(key: c.key, signs: c.json != nil || submitURL != nil)
        if submitURL != nil, classKey == nil {
            throw CLIError(
                message:
                    "--submit posts signed results, and no key signs them: give --key KEYFILE or set \(Self.classKeyVariable) (your class setup says which)",
                code: ExitCode.usage)
        }
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
            if let submitURL, let classKey {
                await submitResults(result, to: submitURL, c, w, key: classKey)
            }
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
        if let json = c.json {
            let identity = await resultsIdentity(c, w, key: key)
            let student = identity?.name
            let docs = results.map { ResultsJSON.document(for: $0, scriptLines: scriptLines($0, w), student: student, date: now()) }
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
            let signing = key != nil ? ", signed with the class key" : c.solution ? ", unsigned: the reference solution's results" : ""
            console.out(style.dim("Results: \(json) (JSON\(signing))\(who)"))
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

    /// The key `check --json` and `--submit` sign with: `--key`, else NETLAB_CLASS_KEY_FILE; nil
    /// for neither. Read before any check runs, so that a wrong key file is said at once.
    func resultsSigningKey(key: String?, signs: Bool) throws -> ClassKey? {
        if let path = key {
            guard signs else {
                throw UsageError("`--key` signs the results of `--json FILE` or `--submit URL`; give one of them too", command: "check")
            }
            return try readClassKey(path)
        }
        guard signs, let path = environment[Self.classKeyVariable], !path.isEmpty else { return nil }
        return try readClassKey(path)
    }

    /// `--submit URL`, else NETLAB_SUBMIT_URL; a bad URL from the environment is said at once.
    func boardURL(_ c: CheckCommand) throws -> String? {
        if let submit = c.submit { return submit }
        guard let url = environment["NETLAB_SUBMIT_URL"], !url.isEmpty else { return nil }
        guard BoardClient.target(url) != nil else {
            throw CLIError(message: "NETLAB_SUBMIT_URL=\(UntrustedText.escaped(url)): the board's URL is http://HOST:PORT/", code: ExitCode.usage)
        }
        return url
    }

    /// Who the results are about. A student's own key names them (results signed with it verify
    /// as theirs only); else ``StudentIdentity``'s order.
    func resultsIdentity(_ c: CheckCommand, _ w: OpenedWorkbook, key: ClassKey?) async -> StudentIdentity? {
        if let owner = key?.student { return StudentIdentity(name: owner, source: "the student key") }
        return await StudentIdentity.resolve(
            flag: c.student, environment: environment, gitUserName: { await StudentIdentity.gitUserName(in: w.root) })
    }

    /// The lines of `result`'s `checks.netlab`, for the results' `test_code`.
    func scriptLines(_ result: LessonResult, _ w: OpenedWorkbook) -> [String] {
        guard let file = w.catalog.lesson(number: result.number)?.checksFile, let text = try? String(contentsOf: file, encoding: .utf8)
        else { return [] }
        return text.split(separator: "\n", omittingEmptySubsequences: false).map { $0.hasSuffix("\r") ? String($0.dropLast()) : String($0) }
    }

    /// Posts one lesson's signed results to the class board, and says what the board answered
    /// (a board that cannot be reached never changes the check's verdict or exit status).
    func submitResults(_ result: LessonResult, to url: String, _ c: CheckCommand, _ w: OpenedWorkbook, key: ClassKey) async {
        let identity = await resultsIdentity(c, w, key: key)
        let doc = ResultsJSON.document(for: result, scriptLines: scriptLines(result, w), student: identity?.name, date: now())
        guard let data = try? ResultsSignature.sign(try ResultsJSON.encode(doc), key: key) else {
            console.out(style.yellow("Class board: the results could not be signed"))
            return
        }
        switch await BoardClient.post(data, to: url) {
        case .answered(let status, _) where status == 201 || status == 200:
            let who = identity.map { " as \(UntrustedText.escaped($0.name)) (from \($0.source))" } ?? ""
            console.out(style.dim("Class board: posted\(who)\(status == 200 ? ", already there" : "")"))
        case .answered(let status, let message):
            console.out(style.yellow("Class board: not taken (\(status)): \(UntrustedText.escaped(message))"))
        case .failed(let why):
            console.out(style.yellow("Class board: could not post to \(UntrustedText.escaped(url)): \(UntrustedText.escaped(why))"))
        }
    }
}
