@testable import CheckLanguage
@testable import CheckResults
@testable import CheckRuntime
import Foundation
@testable import NetlabCommandLine
import Testing
@testable import Workbook

/// `Tests/WorkbookTests/Fixtures`.
let fixturesDirectory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures")

/// A fresh copy of the fixture workbook (two lessons, one solution) in a temporary folder, so
/// commands can write `.netlab/` and edit files. Removed by the caller with `cleanup`.
struct TempWorkbook {
    let root: URL

    init() throws {
        let base = FileManager.default.temporaryDirectory.appendingPathComponent("netlab-cli-tests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: base, withIntermediateDirectories: true)
        root = base.appendingPathComponent("workbook")
        try FileManager.default.copyItem(at: fixturesDirectory.appendingPathComponent("workbook"), to: root)
    }

    func url(_ path: String) -> URL { root.appendingPathComponent(path) }

    func write(_ path: String, _ text: String) throws {
        let u = url(path)
        try FileManager.default.createDirectory(at: u.deletingLastPathComponent(), withIntermediateDirectories: true)
        try text.write(to: u, atomically: true, encoding: .utf8)
    }

    func read(_ path: String) -> String? { try? String(contentsOf: url(path), encoding: .utf8) }

    func cleanup() { try? FileManager.default.removeItem(at: root.deletingLastPathComponent()) }

    /// A fake `swift` that "builds" by copying /bin/true to the bin path, or fails with the captured
    /// compiler output when `fail` is set. Returns the builder factory for NetlabCLI.
    func fakeSwift(failWith log: String? = nil) throws -> @Sendable (URL) -> LessonBuilder {
        let bin = url(".fake-bin")
        try FileManager.default.createDirectory(at: bin, withIntermediateDirectories: true)
        let script = url(".fake-swift")
        var text = "#!/bin/sh\nif [ \"$2\" = \"--show-bin-path\" ]; then echo \(bin.path); exit 0; fi\n"
        if let log {
            let logFile = url(".fake-log")
            try log.write(to: logFile, atomically: true, encoding: .utf8)
            text += "cat \(logFile.path)\nexit 1\n"
        } else {
            text += "cp /bin/true \(bin.path)/$3\necho 'Build of product complete!'\nexit 0\n"
        }
        try writeExecutable(text, to: script.path)
        let path = script.path
        return { LessonBuilder(root: $0, swift: path, timeout: .seconds(30)) }
    }
}

/// A grader that runs no program: it parses the real checks.netlab (through ScriptLessonGrader)
/// and decides each check with `decide` (check name → status).
func fakeGrader(
    _ decide: @escaping @Sendable (String) -> CheckResult.Status = { _ in .pass },
    programs: ProgramLog? = nil
) -> ScriptLessonGrader {
    ScriptLessonGrader { script, _, program, _, onResult in
        programs?.append(program)
        var results: [CheckResult] = []
        for (i, check) in script.checks.enumerated() {
            let status = decide(check.name)
            let result = CheckResult(
                name: check.name, status: status, points: status == .pass ? check.points : 0, maxPoints: check.points,
                message: status == .pass ? nil : "expected \"hi\\n\" from client a within 1s, got nothing (\(check.location))",
                transcript: "[client a] connect 127.0.0.1:40000\n[client a] sent \"hi\\n\"\n[server] accepted 127.0.0.1:53211",
                hint: check.hint, location: check.location.description, index: i + 1, duration: .milliseconds(120))
            onResult(result)
            results.append(result)
        }
        return results
    }
}

/// Records the programs the fake grader was given.
final class ProgramLog: @unchecked Sendable {
    private let lock = NSLock()
    private var items: [ProgramSpec] = []
    func append(_ p: ProgramSpec) { lock.lock(); items.append(p); lock.unlock() }
    var all: [ProgramSpec] { lock.lock(); defer { lock.unlock() }; return items }
}

/// Runs netlab in `directory` with a captured console; returns status, stdout, stderr.
func runCLI(
    _ args: [String], in directory: URL, grader: any LessonGrader = fakeGrader(),
    builder: (@Sendable (URL) -> LessonBuilder)? = nil, style: Style = .plain,
    environment: [String: String] = ["USER": "ada", "NETLAB_STUDENT": "ada"], watchRunLimit: Int? = nil,
    console: Console? = nil
) async -> (status: Int32, out: String, err: String) {
    let console = console ?? Console.capture(style: style)
    let fixed = Date(timeIntervalSince1970: 1_800_000_000)
    var cli = NetlabCLI(
        console: console, environment: environment, workingDirectory: directory, grader: grader,
        makeBuilder: builder ?? { LessonBuilder(root: $0, swift: "/nonexistent/swift", timeout: .seconds(5)) },
        now: { fixed })
    cli.watchRunLimit = watchRunLimit
    let status = await cli.run(args)
    return (status, console.output, console.errors)
}

/// Writes an executable script with a close-on-exec descriptor. Foundation's writes leave the
/// descriptor inheritable for a moment; a process that another test spawns in that moment keeps
/// the script open for writing, and running it then fails with ETXTBSY ("Text file busy").
func writeExecutable(_ text: String, to path: String) throws {
    let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o755)
    guard fd >= 0 else { throw CocoaError(.fileWriteUnknown) }
    defer { close(fd) }
    let bytes = Array(text.utf8)
    guard bytes.withUnsafeBytes({ write(fd, $0.baseAddress, $0.count) }) == bytes.count else { throw CocoaError(.fileWriteUnknown) }
}
