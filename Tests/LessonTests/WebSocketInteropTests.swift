import Foundation
import ProcessSupervision
import Testing

/// The lesson 13 solution against a real WebSocket client: Python's `websockets` (Debian's
/// python3-websockets), which fails a connection on any frame the RFC does not allow. Messages
/// of every length class, fragments, pings both ways, every close path, a slow client, and one
/// order for everybody. Skipped, with a message, where the module is missing (under CI=true it fails).
@Suite(
    "Lesson 13's solution with Python's websockets client", .serialized, .timeLimit(.minutes(5)),
    .enabled(if: PythonWebSockets.shouldRun, "python3 with the websockets module is missing: apt-get install python3-websockets")
)
struct WebSocketInteropTests {
    @Test("messages of 0 to 1 MiB, text and binary, every length form, reach both clients intact")
    func everyLength() async throws {
        let limit = 1 << 20
        try await run("lengths", server: ["--read-limit", "\(limit)"], limit: limit)
    }

    @Test("fragmented messages arrive as one message")
    func fragments() async throws { try await run("fragments") }

    @Test("our pings get pongs; the server's pings are answered and the connection stays")
    func pings() async throws {
        try await run("pings", server: ["--ping-interval", "200ms", "--pong-timeout", "500ms"])
    }

    @Test("client close 1000 and 4001 echoed; a message over the limit closed with 1009")
    func closePaths() async throws {
        let log = try await run("close_paths", server: ["--read-limit", "1000"], limit: 1000)
        #expect(log.contains { $0.hasPrefix("error: 127.0.0.1:") && $0.hasSuffix("message over the read limit") }, "\(log)")
        #expect(log.filter { $0.hasPrefix("left 127.0.0.1:") && !$0.dropFirst(5).contains(": ") }.count >= 2, "\(log)")
    }

    @Test("a client that stops reading is dropped (logged; close 1008 when its buffers have room), and the sender gets all of its messages")
    func slowClient() async throws {
        // No keepalive in the way: b reads nothing for a while on purpose, which a pong deadline
        // would punish first.
        let log = try await run(
            "slow", server: ["--read-limit", "65536", "--send-queue", "4", "--ping-interval", "60s", "--pong-timeout", "60s"],
            limit: 65536)
        #expect(log.contains { $0.hasPrefix("dropped 127.0.0.1:") && $0.hasSuffix(": send queue full") }, "\(log)")
    }

    /// The queue is long enough here for a burst of 120 messages: on a busy machine, a writer
    /// task's thread can be descheduled while a whole burst is broadcast, and a queue of 16
    /// would then (rightly) drop that client. Dropping is the slow-client test's business.
    @Test("three clients talking at once all see the same order")
    func oneOrder() async throws { try await run("order", server: ["--send-queue", "200"]) }

    @Test("raw frames: an unmasked one gets close 1002; a peer that never answers a ping is closed")
    func rawFrames() async throws {
        let log = try await run("raw", server: ["--ping-interval", "300ms", "--pong-timeout", "500ms"])
        #expect(log.contains { $0.hasPrefix("error: 127.0.0.1:") && $0.hasSuffix(": protocol error: unmasked frame") }, "\(log)")
        #expect(log.contains { $0.hasPrefix("timeout 127.0.0.1:") && $0.hasSuffix(": no pong") }, "\(log)")
        #expect(log.contains { $0.hasPrefix("left 127.0.0.1:") && $0.hasSuffix(": no pong") }, "\(log)")
    }

    /// Starts the solution with `server` flags, runs `scenario` against it, and returns the
    /// server's log lines.
    @discardableResult
    func run(_ scenario: String, server: [String] = [], limit: Int = 4096) async throws -> [String] {
        let python = try #require(PythonWebSockets.python)
        let chat = try await ChatServer.start(arguments: server)
        defer { chat.stop() }
        let (status, output) = try await runProcess(python, ["-", scenario, "\(chat.port)", "\(limit)"], stdin: webSocketClientScript)
        let log = chat.logLines()
        #expect(status == 0 && output.contains("ok"), "scenario \(scenario): \(output)\nserver log:\n\(log.joined(separator: "\n"))")
        return log
    }
}

/// The flags the program checks itself, refused as LessonKit refuses a bad flag: status 2.
@Suite("Lesson 13's own flag checks")
struct ChatFlagTests {
    @Test(
        "a queue, a limit or a duration under 1 is a usage error",
        arguments: [
            ["--send-queue", "0"], ["--read-limit", "-1"], ["--ping-interval", "0s"], ["--pong-timeout", "0ms"],
        ])
    func refused(_ flags: [String]) async throws {
        let (status, output) = try await runProcess(try builtProgram("solution13"), ["--listen", "127.0.0.1:0"] + flags, stdin: "")
        #expect(status == 2, "\(flags): \(output)")
        #expect(output.hasPrefix("solution13: \(flags[0]) must be "), "\(output)")
    }
}

/// Lesson 13's starter gives five files as they are; the learner edits only main.swift (the file
/// `netlab reset` and `netlab solution` work on). The lesson's copy is their one home: the
/// solution's are links to it, and so are the mistakes' that no mistake changes.
@Suite("Lesson 13's given files")
struct ChatGivenFilesTests {
    @Test(
        "the solution's and the mistakes' given files are links to the lesson's",
        arguments: [
            "solutions/13-websocket-chat/Upgrade.swift", "solutions/13-websocket-chat/Connection.swift",
            "solutions/13-websocket-chat/Client.swift", "solutions/13-websocket-chat/Hub.swift",
            "solutions/13-websocket-chat/Protocol.swift", "Tests/Mistakes/13-websocket-chat/Client.swift",
            "Tests/Mistakes/13-websocket-chat/Protocol.swift",
        ])
    func linked(_ path: String) throws {
        let file = packageRoot.appendingPathComponent(path)
        let lesson = packageRoot.appendingPathComponent("lessons/13-websocket-chat/\(file.lastPathComponent)")
        let target = try FileManager.default.destinationOfSymbolicLink(atPath: file.path)
        #expect(
            file.deletingLastPathComponent().appendingPathComponent(target).standardizedFileURL.path
                == lesson.standardizedFileURL.path, "\(path) links to \(target)")
    }
}

/// Where a python3 with `websockets` is: /usr/bin/python3 first (Debian's package installs there,
/// while a pyenv python3 earlier in PATH may not have it).
/// The first of `candidates` that is a python3 able to `import modules`, each asked for at most
/// 30 s; nil for none.
func pythonImporting(_ modules: String, candidates: [String]) -> String? {
    candidates.first { path in
        FileManager.default.isExecutableFile(atPath: path)
            && (try? ProcessRunner.runBlocking(path, ["-c", "import \(modules)"], timeout: .seconds(30)))?.status == 0
    }
}

enum PythonWebSockets {
    static let python = pythonImporting("websockets", candidates: ["/usr/bin/python3", "/usr/local/bin/python3"])
    static let shouldRun = python != nil || ProcessInfo.processInfo.environment["CI"] == "true"
}

/// A chat solution (lesson 13's unless `program` says another) as a running process, its stdout
/// and stderr in files.
final class ChatServer {
    let process = Process()
    let folder: URL
    private(set) var port = 0

    /// Starts `program` and waits (without holding a thread of the cooperative pool) for its
    /// ready line, at most 20 s.
    static func start(arguments: [String], program: String = "solution13") async throws -> ChatServer {
        let server = try ChatServer(arguments: arguments, program: program)
        try await server.waitForReady(program)
        return server
    }

    private init(arguments: [String], program: String) throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("netlab-ws-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let out = folder.appendingPathComponent("stdout"), err = folder.appendingPathComponent("stderr")
        _ = FileManager.default.createFile(atPath: out.path, contents: nil)
        _ = FileManager.default.createFile(atPath: err.path, contents: nil)
        process.executableURL = URL(fileURLWithPath: try builtProgram(program))
        process.arguments = ["--listen", "127.0.0.1:0"] + arguments
        process.standardOutput = try FileHandle(forWritingTo: out)
        process.standardError = try FileHandle(forWritingTo: err)
        try process.run()
    }

    private func waitForReady(_ program: String) async throws {
        let out = folder.appendingPathComponent("stdout")
        let deadline = ContinuousClock.now + .seconds(20)
        var found: Int?
        while found == nil, ContinuousClock.now < deadline, process.isRunning {
            let text = (try? String(contentsOf: out, encoding: .utf8)) ?? ""
            if let line = text.split(separator: "\n").first(where: { $0.hasPrefix("netlab: listening on ") }) {
                found = line.split(separator: ":").last.flatMap { Int($0) }
            } else {
                try await Task.sleep(for: .milliseconds(50))
            }
        }
        guard let found else {
            stop()
            throw InteropError(message: "\(program) printed no ready line within 20 s")
        }
        port = found
    }

    func logLines() -> [String] {
        let text = (try? String(contentsOf: folder.appendingPathComponent("stderr"), encoding: .utf8)) ?? ""
        return text.split(separator: "\n").map(String.init)
    }

    /// Ends the program (SIGKILL: cleanup needs no grace, and a program that ignores SIGTERM
    /// must not hold the test) and removes its files.
    func stop() {
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
        try? FileManager.default.removeItem(at: folder)
    }
}

/// Runs a program with `stdin` as its input, for at most 120 s; its status and its output
/// (stdout and stderr together). The program never outlives the call: at the bound, or when the
/// test is cancelled (a suite's time limit), it is killed and reaped first. `started` is told the
/// program's pid once it runs.
func runProcess(
    _ path: String, _ arguments: [String], stdin: String, started: @Sendable (pid_t) -> Void = { _ in }
) async throws -> (Int32, String) {
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("netlab-run-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: folder) }
    let input = folder.appendingPathComponent("in"), output = folder.appendingPathComponent("out")
    try Data(stdin.utf8).write(to: input)
    _ = FileManager.default.createFile(atPath: output.path, contents: nil)
    let process = Process()
    process.executableURL = URL(fileURLWithPath: path)
    process.arguments = arguments
    process.standardInput = try FileHandle(forReadingFrom: input)
    let sink = try FileHandle(forWritingTo: output)
    process.standardOutput = sink
    process.standardError = sink
    try process.run()
    started(process.processIdentifier)
    let deadline = ContinuousClock.now + .seconds(120)
    var cancelled = false
    while process.isRunning, ContinuousClock.now < deadline {
        do { try await Task.sleep(for: .milliseconds(50)) } catch {
            cancelled = true
            break
        }
    }
    if process.isRunning {
        kill(process.processIdentifier, SIGKILL)
        // Reaped in a task of its own: this one may be cancelled, and then its sleeps return at once.
        await Task.detached {
            let reaped = ContinuousClock.now + .seconds(10)
            while process.isRunning, ContinuousClock.now < reaped { try? await Task.sleep(for: .milliseconds(20)) }
        }.value
    }
    if cancelled { throw CancellationError() }
    let text = (try? String(contentsOf: output, encoding: .utf8)) ?? ""
    return (process.isRunning ? -1 : process.terminationStatus, text)
}

struct InteropError: Error, CustomStringConvertible {
    var message: String
    var description: String { message }
}
