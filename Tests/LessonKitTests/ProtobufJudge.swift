import Foundation
import ProcessSupervision
import Testing

/// The real protobuf as a judge: `protoc` compiles Fixtures/kv.proto for Python, and
/// Fixtures/kv_judge.py encodes and decodes with Python's `protobuf` package.
///
/// Both tools come from scripts/install-deps.sh (Debian's `protobuf-compiler` and
/// `python3-protobuf`). Without them the interop tests are skipped, except under CI (`CI=true`),
/// where a missing judge is a failure.
struct ProtobufJudge {
    let python: String
    let generated: URL

    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures")

    /// protoc, and a python3 that imports `google.protobuf`, when this machine has both.
    static let tools: (python: String, protoc: String)? = {
        guard let protoc = executableOnPath("protoc") else { return nil }
        // Debian's python3-protobuf serves /usr/bin/python3, which may not be the first python3 on PATH.
        let candidates = [executableOnPath("python3"), "/usr/bin/python3"].compactMap { $0 }
        guard let python = candidates.first(where: { runQuietly($0, ["-c", "import google.protobuf"]) }) else { return nil }
        return (python, protoc)
    }()

    /// Whether CI runs these tests, where a missing judge must fail and not skip.
    static let isCI = ProcessInfo.processInfo.environment["CI"] == "true"

    /// Whether the interop tests run: the tools are here, or this is CI (which then fails below).
    static let shouldRun = tools != nil || isCI

    static let missingTools =
        "protoc and a python3 with the protobuf package are needed to judge the codec against the real protobuf; "
        + "bash scripts/install-deps.sh installs them (protobuf-compiler, python3-protobuf)"

    /// A judge with kv_pb2.py freshly generated in a folder of its own (the caller removes it with `close()`).
    static func make() async throws -> ProtobufJudge {
        guard let tools else { throw JudgeError(missingTools) }
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("netlab-protobuf-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let proto = fixtures.appendingPathComponent("kv.proto")
        try await run(tools.protoc, ["--python_out=\(folder.path)", "-I", fixtures.path, proto.path], in: folder)
        return ProtobufJudge(python: tools.python, generated: folder)
    }

    func close() { try? FileManager.default.removeItem(at: generated) }

    /// Sends the requests to kv_judge.py and returns its answers, one per request (see the script).
    func answers(_ requests: [[String: Any]]) async throws -> [[String: Any]] {
        let requestsFile = generated.appendingPathComponent("requests-\(UUID().uuidString).json")
        let answersFile = generated.appendingPathComponent("answers-\(UUID().uuidString).json")
        try JSONSerialization.data(withJSONObject: requests).write(to: requestsFile)
        let script = Self.fixtures.appendingPathComponent("kv_judge.py")
        try await Self.run(python, [script.path, generated.path, requestsFile.path, answersFile.path], in: generated)
        let answers = try JSONSerialization.jsonObject(with: Data(contentsOf: answersFile)) as? [[String: Any]]
        guard let answers, answers.count == requests.count else {
            throw JudgeError("kv_judge.py answered \(answers?.count ?? 0) of \(requests.count) requests")
        }
        return answers
    }

    /// Runs a program to its end, at most 60 s; throws with its stderr when it fails.
    static func run(_ program: String, _ arguments: [String], in folder: URL) async throws {
        let errors = folder.appendingPathComponent("stderr-\(UUID().uuidString).txt")
        _ = FileManager.default.createFile(atPath: errors.path, contents: nil)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: program)
        process.arguments = arguments
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = FileHandle.nullDevice
        process.standardError = try FileHandle(forWritingTo: errors)
        try process.run()
        let deadline = ContinuousClock.now + .seconds(60)
        while process.isRunning, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(20)) }
        if process.isRunning {
            process.terminate()
            await offPool { process.waitUntilExit() }
            throw JudgeError("\(program) did not finish within 60 s")
        }
        guard process.terminationReason == .exit, process.terminationStatus == 0 else {
            let text = (try? String(contentsOf: errors, encoding: .utf8)) ?? ""
            throw JudgeError("\(program) \(arguments.joined(separator: " ")) failed (\(process.terminationStatus)): \(text.suffix(2000))")
        }
    }

    /// Whether a program exits 0 within 20 s, its output discarded (used once, to probe the tools).
    static func runQuietly(_ program: String, _ arguments: [String]) -> Bool {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: program)
        process.arguments = arguments
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        guard (try? process.run()) != nil else { return false }
        let deadline = Date().addingTimeInterval(20)
        while process.isRunning, Date() < deadline { usleep(10_000) }
        if process.isRunning { process.terminate() }
        process.waitUntilExit()
        return process.terminationReason == .exit && process.terminationStatus == 0
    }

    /// The first executable named `name` in a folder of PATH.
    static func executableOnPath(_ name: String) -> String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        return path.split(separator: ":").map { "\($0)/\(name)" }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }
}

struct JudgeError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
