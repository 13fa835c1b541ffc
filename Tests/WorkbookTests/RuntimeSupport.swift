@testable import CheckLanguage
@testable import CheckResults
@testable import CheckRuntime
import Foundation
@testable import NetlabCommandLine
import Testing

/// The `netlab-testserver` executable, built next to the test bundle.
func testServerPath() throws -> String {
    let exe = URL(fileURLWithPath: try FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe"))
    var directory = exe.deletingLastPathComponent()
    while directory.path != "/" {
        let candidate = directory.appendingPathComponent("netlab-testserver")
        if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate.path }
        directory = directory.deletingLastPathComponent()
    }
    throw CheckError(message: "netlab-testserver not found near \(exe.path)")
}

/// A lesson folder for tests, with a fixtures folder.
let testLessonDirectory: URL = {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("netlab-runtime-tests-\(getpid())")
    try? FileManager.default.createDirectory(at: url.appendingPathComponent("fixtures"), withIntermediateDirectories: true)
    var hello = Array("HELLO fixture\n".utf8)
    hello += [0, 1, 2, 0xff]
    _ = FileManager.default.createFile(atPath: url.appendingPathComponent("fixtures/hello.bin").path, contents: Data(hello))
    return url
}()

/// Runs every check of `source` against netlab-testserver (or `program`), with short bounds.
func runScript(
    _ source: String, program: ProgramLaunch? = nil, options: RunOptions = RunOptions(stopGrace: .seconds(3)),
    sourceLocation: Testing.SourceLocation = #_sourceLocation
) async throws -> [CheckResult] {
    let script = try parseOK(source, sourceLocation: sourceLocation)
    let launch = try program ?? ProgramLaunch(executable: testServerPath())
    let runner = CheckRunner(script: script, lessonDirectory: testLessonDirectory, program: launch, options: options)
    return await runner.run()
}

/// Runs a script with one check and returns its result.
func runOne(
    _ source: String, program: ProgramLaunch? = nil,
    sourceLocation: Testing.SourceLocation = #_sourceLocation
) async throws -> CheckResult {
    let results = try await runScript(source, program: program, sourceLocation: sourceLocation)
    #expect(results.count == 1, sourceLocation: sourceLocation)
    return try #require(results.first, sourceLocation: sourceLocation)
}

/// Expects a pass, showing the transcript otherwise.
func expectPass(_ result: CheckResult, sourceLocation: Testing.SourceLocation = #_sourceLocation) {
    #expect(result.status == .pass, "\(result.message ?? "")\n\(result.transcript)", sourceLocation: sourceLocation)
}

/// Expects a failure whose message contains `fragment`. With NETLAB_DUMP_TRANSCRIPTS=1 in the
/// environment, prints the transcript (to review the wording of failures).
func expectFail(_ result: CheckResult, _ fragment: String, sourceLocation: Testing.SourceLocation = #_sourceLocation) {
    if ProcessInfo.processInfo.environment["NETLAB_DUMP_TRANSCRIPTS"] == "1" { print(result.transcript) }
    #expect(result.status == .fail, "\(result.transcript)", sourceLocation: sourceLocation)
    #expect(
        result.message?.contains(fragment) == true, "message: \(result.message ?? "nil")\n\(result.transcript)",
        sourceLocation: sourceLocation)
}

/// Replaces ports, times, pids and paths so that a transcript can be compared with a golden file.
func normalised(_ transcript: String) -> String { TranscriptNormaliser.normalised(transcript) }

/// Compares with `Golden/NAME.txt`; with NETLAB_UPDATE_GOLDEN=1 in the environment, writes it.
func expectGolden(_ name: String, _ transcript: String, sourceLocation: Testing.SourceLocation = #_sourceLocation) throws {
    let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Golden/\(name).txt")
    let actual = normalised(transcript)
    if ProcessInfo.processInfo.environment["NETLAB_UPDATE_GOLDEN"] == "1" {
        try actual.write(to: url, atomically: true, encoding: .utf8)
        return
    }
    let expected = try String(contentsOf: url, encoding: .utf8)
    #expect(actual == expected, "golden \(name) differs; got:\n\(actual)", sourceLocation: sourceLocation)
}

/// A Python program written to `server.py` in a fresh folder named for `name`, to run as the
/// program under check (the file name is what its tracebacks name). The folder is the caller's
/// to remove: `defer { try? FileManager.default.removeItem(at: folder) }`.
func pythonProgram(_ source: String, name: String) throws -> (launch: ProgramLaunch, file: URL, folder: URL) {
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("netlab-\(name)-\(getpid())")
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    let file = folder.appendingPathComponent("server.py")
    try source.write(to: file, atomically: true, encoding: .utf8)
    return (ProgramLaunch(executable: "python3", arguments: [file.path]), file, folder)
}
