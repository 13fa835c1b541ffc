@testable import CheckLanguage
@testable import CheckResults
@testable import CheckRuntime
import Foundation
@testable import NetlabCommandLine
import Synchronization
import Testing
@testable import Workbook

/// The package root: two folders up from this file.
let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

/// A lesson folder with checks, as the tests see it.
struct LessonUnderTest: Sendable, CustomTestStringConvertible {
    var slug: String
    var directory: URL
    /// `01`, `02`, …: the suffix of `lesson01`, `solution01`, `mistakes01`.
    var number: String { String(slug.prefix(2)) }
    var testDescription: String { slug }

    /// Every `lessons/NN-slug/` folder that has a `checks.netlab`.
    static let all: [LessonUnderTest] = {
        let lessons = packageRoot.appendingPathComponent("lessons")
        let names = (try? FileManager.default.contentsOfDirectory(atPath: lessons.path)) ?? []
        return names.sorted().compactMap { name in
            let dir = lessons.appendingPathComponent(name)
            guard name.prefix(2).allSatisfy(\.isNumber), name.count > 3,
                FileManager.default.fileExists(atPath: dir.appendingPathComponent("checks.netlab").path)
            else { return nil }
            return LessonUnderTest(slug: name, directory: dir)
        }
    }()

    func script() throws -> CheckScript {
        let text = try String(contentsOf: directory.appendingPathComponent("checks.netlab"), encoding: .utf8)
        return try CheckScript.parse(source: text, file: "lessons/\(slug)/checks.netlab")
    }
}

/// One program of `Tests/Mistakes/NN-slug/`: the solution with one common mistake, declared in
/// its file's first lines as `// mistake: NAME` and `// fails: CHECK NAME`.
struct Mistake: Sendable, CustomTestStringConvertible {
    var lesson: String
    var name: String
    var failingCheck: String
    var file: String
    var testDescription: String { "\(lesson) · \(name)" }

    static let all: [Mistake] = {
        let root = packageRoot.appendingPathComponent("Tests/Mistakes")
        let fm = FileManager.default
        var found: [Mistake] = []
        for lesson in ((try? fm.contentsOfDirectory(atPath: root.path)) ?? []).sorted() {
            let dir = root.appendingPathComponent(lesson)
            for file in ((try? fm.contentsOfDirectory(atPath: dir.path)) ?? []).sorted() where file.hasSuffix(".swift") && file != "main.swift" {
                guard let text = try? String(contentsOf: dir.appendingPathComponent(file), encoding: .utf8) else { continue }
                var name: String?
                var check: String?
                for line in text.split(separator: "\n").prefix(12) {
                    if line.hasPrefix("// mistake: ") { name = String(line.dropFirst(12)).trimmingCharacters(in: .whitespaces) }
                    if line.hasPrefix("// fails: ") { check = String(line.dropFirst(10)).trimmingCharacters(in: .whitespaces) }
                }
                // Files without a `// mistake:` line hold code the mistakes share.
                guard let name else { continue }
                found.append(
                    Mistake(
                        lesson: lesson, name: name, failingCheck: check ?? "(no `// fails:` line)",
                        file: "Tests/Mistakes/\(lesson)/\(file)"))
            }
        }
        return found
    }()
}

/// An executable that `swift build` put next to the test bundle (`lesson03`, `solution03`, …).
func builtProgram(_ name: String) throws -> String {
    let exe = URL(fileURLWithPath: try FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe"))
    var directory = exe.deletingLastPathComponent()
    while directory.path != "/" {
        let candidate = directory.appendingPathComponent(name)
        if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate.path }
        directory = directory.deletingLastPathComponent()
    }
    throw CheckError(message: "\(name) was not built (looked near \(exe.path))")
}

/// Runs checks of `lesson` against `program`. `only` limits the run to one check (by name),
/// `except` leaves one out; once a result satisfies `stopAfter`, the checks after it are skipped.
func grade(
    _ lesson: LessonUnderTest, program: ProgramLaunch, only: String? = nil, except: String? = nil,
    stopAfter: (@Sendable (CheckResult) -> Bool)? = nil
) async throws -> [CheckResult] {
    let script = try lesson.script()
    if let only, !script.checks.contains(where: { $0.name == only }) {
        throw CheckError(message: "lessons/\(lesson.slug)/checks.netlab has no check named \"\(only)\"")
    }
    let runner = CheckRunner(
        script: script, lessonDirectory: lesson.directory, program: program,
        options: RunOptions(stopGrace: .seconds(1)))
    let stopped = Mutex(false)
    return await runner.run(
        filter: { check in
            if let only, check.name != only { return false }
            if let except, check.name == except { return false }
            return !stopped.withLock { $0 }
        },
        onResult: { result in
            if stopAfter?(result) == true { stopped.withLock { $0 = true } }
        })
}

/// A failing check's message and transcript, for a test's failure text.
func explain(_ results: [CheckResult]) -> String {
    results.filter { $0.status != .pass }.map { "✗ \($0.name): \($0.message ?? "")\n\($0.transcript)" }.joined(separator: "\n")
}
