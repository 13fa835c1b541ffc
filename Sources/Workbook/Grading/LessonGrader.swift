import CheckLanguage
import CheckResults
import CheckRuntime
import Foundation

/// The program a lesson's checks are run against: how to start it, and what it is.
public struct ProgramSpec: Sendable, Equatable {
    public enum Kind: String, Sendable, Equatable {
        /// The learner's `lessons/NN-slug/main.swift`, built as `lessonNN`.
        case lesson
        /// The reference solution, built as `solutionNN`.
        case solution
        /// `--cmd PROGRAM`: anything that honours the lesson contract, in any language.
        case command
    }

    /// The program to start (an absolute path, or for `--cmd` a path relative to the directory
    /// netlab was started from, or a name on PATH) and the arguments that come before the check's
    /// `start` arguments (from `--cmd "prog arg …"`).
    public var launch: ProgramLaunch
    public var kind: Kind
    /// How to name it to people: `lessons/04-proxy/main.swift`, `./myproxy`.
    public var displayName: String

    public init(executable: String, arguments: [String] = [], kind: Kind, displayName: String) {
        self.launch = ProgramLaunch(executable: executable, arguments: arguments)
        self.kind = kind
        self.displayName = displayName
    }
}

/// The seam between the CLI and the check runner: grade one lesson's checks against a program
/// that is already built. `onResult` is called once per check as soon as it finishes (in file
/// order), so the CLI can print results as they come; the returned `LessonResult` holds them all.
public protocol LessonGrader: Sendable {
    func grade(
        lesson: Lesson, program: ProgramSpec, options: RunOptions,
        onResult: @escaping @Sendable (CheckResult) -> Void
    ) async -> LessonResult
}

/// The ``LessonGrader`` netlab grades with: it reads and parses `checks.netlab` (a missing or
/// invalid script becomes a lesson `error`, rendered with the offending line), hands the parsed
/// script to `run` (by default the check runner, ``CheckRunner``), and for a `--cmd` program
/// runs the lesson contract's checks after the lesson's own. Tests give another `run` to grade
/// without starting programs.
public struct ScriptLessonGrader: LessonGrader {
    public typealias Run =
        @Sendable (
            _ script: CheckScript, _ lessonDirectory: URL, _ program: ProgramSpec,
            _ options: RunOptions, _ onResult: @escaping @Sendable (CheckResult) -> Void
        ) async -> [CheckResult]

    let run: Run

    public init(run: @escaping Run = ScriptLessonGrader.runChecks) {
        self.run = run
    }

    /// Runs `script`'s checks against `program` with the check runner.
    public static let runChecks: Run = { script, lessonDirectory, program, options, onResult in
        await CheckRunner(script: script, lessonDirectory: lessonDirectory, program: program.launch, options: options)
            .run(onResult: onResult)
    }

    public func grade(
        lesson: Lesson, program: ProgramSpec, options: RunOptions,
        onResult: @escaping @Sendable (CheckResult) -> Void
    ) async -> LessonResult {
        func failed(_ error: String) -> LessonResult {
            LessonResult(number: lesson.number, slug: lesson.slug, title: lesson.title, error: error, checks: [])
        }
        guard let checksFile = lesson.checksFile else {
            return failed("lessons/\(lesson.slug)/checks.netlab is missing")
        }
        guard let data = try? Data(contentsOf: checksFile) else {
            return failed("cannot read lessons/\(lesson.slug)/checks.netlab")
        }
        let name = "lessons/\(lesson.slug)/checks.netlab"
        let source: String
        do {
            source = try ScriptSource.decode(Array(data), file: name)
        } catch {
            return failed("checks.netlab does not parse:\n\(error)")
        }
        let errors = CheckScript.diagnose(source: source, file: name)
        if !errors.isEmpty {
            return failed("checks.netlab does not parse:\n" + errors.map { $0.rendered(source: source) }.joined(separator: "\n"))
        }
        let script: CheckScript
        do {
            script = try CheckScript.parse(source: source, file: name)
        } catch {
            return failed("checks.netlab does not parse: \(error)")
        }
        if script.checks.isEmpty {
            return failed("\(name) has no checks, so nothing can be graded; add a `check \"NAME\"` line and its steps (see docs/checks.md)")
        }
        var checks = await run(script, lesson.directory, program, options, onResult)
        // A program in another language is also held to the process contract (ContractChecks).
        if program.kind == .command, let contractSource = ContractChecks.script(for: script) {
            do {
                let contract = try CheckScript.parse(source: contractSource, file: "\(name) (the lesson contract)")
                checks += await run(contract, lesson.directory, program, options, onResult)
            } catch {
                return failed("the lesson contract's checks do not parse: \(error)")
            }
        }
        return LessonResult(number: lesson.number, slug: lesson.slug, title: lesson.title, error: nil, checks: checks)
    }
}
