import CheckResults
@testable import ClassBoard
import Foundation
import NetCore
import ProcessSupervision
@testable import NetlabCommandLine
import Synchronization
import Testing
@testable import Workbook

/// A board on a loopback port, its state in a temporary file; stopped by `stop()`.
private final class RunningBoard: Sendable {
    let server: BoardServer
    let address: String
    let task: Task<Void, Error>

    init(stateFile: URL, key: ClassKey, limits: BoardServer.Limits = BoardServer.Limits()) throws {
        let state = try BoardState(file: stateFile, key: key)
        server = BoardServer(state: state, limits: limits)
        let listener = try TCPListener.listen(address: "127.0.0.1:0")
        address = "127.0.0.1:\(listener.address.port)"
        // On NetExecutor from its first step: a plain Task waits its turn on the cooperative
        // pool behind every test this process started at once (seconds, with a full suite),
        // and a board that has not begun to accept looks like a board that hangs.
        task = Task(executorPreference: NetExecutor.shared) { [server] in try await server.serve(listener) }
    }

    func stop() async {
        task.cancel()
        _ = await task.result
    }

    /// Sends `request` and reads the answer to its end (the board closes after one), bounded at 10 s.
    func send(_ request: [UInt8]) async throws -> (status: Int, body: String) {
        let conn = try await TCPConn.dial(address, timeout: .seconds(10))
        defer { try? conn.close() }
        try conn.setDeadline(.after(.seconds(10)))
        try await conn.write(request)
        var answer: [UInt8] = []
        while answer.count < 4 << 20 {
            // A board that answers before reading all of a bad request may end with a reset after
            // its answer: what came before it counts.
            guard let chunk = try? await conn.read(upToCount: 64 << 10), !chunk.isEmpty else { break }
            answer += chunk
        }
        let text = String(decoding: answer, as: UTF8.self)
        let status = text.split(separator: " ", maxSplits: 2).dropFirst().first.flatMap { Int($0) } ?? -1
        return (status, text.range(of: "\r\n\r\n").map { String(text[$0.upperBound...]) } ?? "")
    }

    func post(_ body: Data) async throws -> (status: Int, body: String) {
        try await send(Array("POST /results HTTP/1.1\r\nHost: x\r\nContent-Length: \(body.count)\r\n\r\n".utf8) + Array(body))
    }

    func get(_ path: String) async throws -> (status: Int, body: String) {
        try await send(Array("GET \(path) HTTP/1.1\r\nHost: x\r\n\r\n".utf8))
    }
}

private let classKey = try! ClassKey(hexText: String(repeating: "5a", count: 32))

/// Lesson `lesson`'s results for `student`, signed with `key`.
private func signed(_ student: String, lesson: Int = 3, pass: Bool, key: ClassKey, at time: String = "2026-12-07T10:00:00Z") throws -> Data {
    let tests = [
        ResultsJSON.Test(name: "idle", status: "pass", message: nil, output: nil, testCode: "", taskID: 1, points: 1, maxPoints: 1),
        ResultsJSON.Test(
            name: "busy <b>", status: pass ? "pass" : "fail", message: pass ? nil : "no", output: nil, testCode: "", taskID: 2,
            points: pass ? 1 : 0, maxPoints: 1),
    ]
    let doc = ResultsJSON.ResultsDocument(
        status: pass ? "pass" : "fail", message: nil, tests: tests, points: pass ? 2 : 1, maxPoints: 2,
        lesson: .init(number: lesson, slug: String(format: "%02d-x", lesson), title: "Timeouts"), student: student, generatedAt: time)
    return try ResultsSignature.sign(try ResultsJSON.encode(doc), key: key)
}

private func temporaryStateFile() -> URL {
    FileManager.default.temporaryDirectory.appendingPathComponent("netlab-board-\(UUID().uuidString).jsonl")
}

@Suite("Class board: the HTTP API, the live stream, the state on disk", .serialized, .timeLimit(.minutes(2)))
struct ClassBoardTests {
    @Test("good, replayed, unsigned, forged, impersonated, oversized, chunked and junk posts get the status they should")
    func posts() async throws {
        let file = temporaryStateFile()
        defer { try? FileManager.default.removeItem(at: file) }
        let board = try RunningBoard(stateFile: file, key: classKey)
        defer { Task { await board.stop() } }
        let ada = classKey.forStudent("Ada L")
        let good = try signed("Ada L", pass: false, key: ada)
        #expect(try await board.post(good).status == 201)
        #expect(try await board.post(good).status == 200)  // a replay is not a new attempt
        let unsigned = try ResultsJSON.encode(
            ResultsJSON.ResultsDocument(
                status: "pass", message: nil, tests: [], points: 0, maxPoints: 0, lesson: .init(number: 1, slug: "01-x", title: "t"),
                student: "Ada L", generatedAt: nil))
        let u = try await board.post(unsigned)
        #expect(u.status == 401 && u.body.contains("unsigned"))
        // A pass forged by editing a signed fail.
        let forged = Data(String(decoding: good, as: UTF8.self).replacingOccurrences(of: "\"fail\"", with: "\"pass\"").utf8)
        let f = try await board.post(forged)
        #expect(f.status == 401 && f.body.contains("bad signature"))
        // Ada's own key cannot post as Bob.
        #expect(try await board.post(try signed("Bob", pass: true, key: ada)).status == 401)
        // Another class's key.
        let other = try ClassKey(hexText: String(repeating: "77", count: 32))
        #expect(try await board.post(try signed("Ada L", pass: true, key: other)).status == 401)
        let big = try await board.send(Array("POST /results HTTP/1.1\r\nContent-Length: 2000000\r\n\r\n".utf8))
        #expect(big.status == 413)
        #expect(try await board.send(Array("POST /results HTTP/1.1\r\n\r\n".utf8)).status == 411)
        #expect(try await board.send(Array("POST /results HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n".utf8)).status == 411)
        #expect(try await board.send(Array("hello there\r\n\r\n".utf8)).status == 400)
        #expect(try await board.send(Array(repeating: UInt8(ascii: "a"), count: 20_000)).status == 431)
        #expect(try await board.get("/nope").status == 404)
        #expect(try await board.send(Array("DELETE /results HTTP/1.1\r\n\r\n".utf8)).status == 405)
        let page = try await board.get("/")
        #expect(page.status == 200 && page.body.contains("new EventSource(\"/events\")") && !page.body.contains("innerHTML"))
        let state = try await board.get("/state")
        #expect(state.status == 200 && state.body.contains("\"name\":\"Ada L\"") && state.body.contains("\"results\":1"))
        #expect(!state.body.contains("Bob"))
        #expect(state.body.contains("busy <b>"))  // JSON for textContent: the page never parses it as HTML
    }

    @Test("the live stream: a snapshot at once, and a new one when a result is posted")
    func stream() async throws {
        let file = temporaryStateFile()
        defer { try? FileManager.default.removeItem(at: file) }
        let board = try RunningBoard(stateFile: file, key: classKey)
        defer { Task { await board.stop() } }
        let conn = try await TCPConn.dial(board.address, timeout: .seconds(10))
        defer { try? conn.close() }
        try conn.setDeadline(.after(.seconds(20)))
        try await conn.write("GET /events HTTP/1.1\r\nHost: x\r\n\r\n")
        var received = ""
        func readUntil(_ needle: String) async throws {
            while !received.contains(needle) {
                let chunk = try await conn.read(upToCount: 64 << 10)
                if chunk.isEmpty { throw BoardError("the stream ended") }
                received += String(decoding: chunk, as: UTF8.self)
            }
        }
        try await readUntil("\"results\":0")
        #expect(received.hasPrefix("HTTP/1.1 200 OK\r\nContent-Type: text/event-stream"))
        #expect(try await board.post(try signed("Grace H", pass: true, key: classKey)).status == 201)
        try await readUntil("\"name\":\"Grace H\"")
        #expect(received.contains("data: {"))
    }

    @Test("a restart loses nothing, and report reads the state file with every signature checked")
    func restart() async throws {
        let file = temporaryStateFile()
        defer { try? FileManager.default.removeItem(at: file) }
        let first = try RunningBoard(stateFile: file, key: classKey)
        #expect(try await first.post(try signed("Ada L", pass: false, key: classKey.forStudent("Ada L"))).status == 201)
        #expect(
            try await first.post(try signed("Ada L", pass: true, key: classKey.forStudent("Ada L"), at: "2026-12-07T11:00:00Z")).status == 201)
        #expect(try await first.post(try signed("Bob", lesson: 4, pass: true, key: classKey)).status == 201)
        await first.stop()
        let second = try RunningBoard(stateFile: file, key: classKey)
        defer { Task { await second.stop() } }
        let state = try await second.get("/state")
        #expect(state.body.contains("\"results\":3") && state.body.contains("Bob"), "\(state.body)")
        #expect(state.body.contains("\"attempts\":2"))
        // The state file as report reads it: each line's results verify again.
        let data = try Data(contentsOf: file)
        #expect(BoardState.isStateFile(data))
        let (files, problems) = BoardState.files(inStateFile: data, named: "board.jsonl")
        #expect(problems.isEmpty && files.count == 3)
        let report = ClassReport(files: files, key: classKey)
        #expect(report.rows.map(\.student) == ["Ada L", "Bob"])
        #expect(report.rows.allSatisfy { $0.signature == .verified })
        #expect(report.rows[0].cells["03-x"]?.status == "pass" && report.rows[0].cells["03-x"]?.attempts == 2)
        // A line edited on disk is skipped when the board starts, and said.
        let edited = String(decoding: data, as: UTF8.self).replacingOccurrences(of: "Bob", with: "Eve")
        try edited.write(to: file, atomically: true, encoding: .utf8)
        let reloaded = try BoardState(file: file, key: classKey)
        #expect(reloaded.all.count == 2)
        #expect(reloaded.problems == ["line 3: its signature does not verify with this class key, skipped"])
    }

    @Test("a flood of idle connections and junk: over the limit they are closed at once, and the board still answers")
    func flood() async throws {
        let file = temporaryStateFile()
        defer { try? FileManager.default.removeItem(at: file) }
        var limits = BoardServer.Limits()
        limits.connections = 16
        limits.requestTimeout = .seconds(10)
        let board = try RunningBoard(stateFile: file, key: classKey, limits: limits)
        defer { Task { await board.stop() } }
        var idle: [TCPConn] = []
        defer { for conn in idle { try? conn.close() } }
        var refusedAtDial = 0
        for _ in 0..<40 {
            // The reset of a refused one can beat the dial's own end.
            if let conn = try? await TCPConn.dial(board.address, timeout: .seconds(10)) { idle.append(conn) } else { refusedAtDial += 1 }
        }
        // 16 are admitted and wait (10 s) for a request; the other 24 are ended at once, unread.
        let conns = idle
        let endedAfterDial = try await withThrowingTaskGroup(of: Bool.self) { group in
            for conn in conns {
                group.addTask {
                    try conn.setReadDeadline(.after(.seconds(2)))
                    do {
                        return try await conn.read(upToCount: 1).isEmpty
                    } catch let error as NetError where error.code == .deadlineExceeded {
                        return false
                    } catch {
                        return true  // reset
                    }
                }
            }
            return try await group.reduce(0) { $0 + ($1 ? 1 : 0) }
        }
        let ended = refusedAtDial + endedAfterDial
        #expect(ended >= 24 && ended < 40, "\(ended) of 40 ended")
        for conn in idle { try? conn.close() }
        idle = []
        // Junk from many clients at once, then a good post: it is taken.
        try await withThrowingTaskGroup(of: Void.self) { group in
            for i in 0..<60 {
                group.addTask { _ = try? await board.send(Array("JUNK \(i) \u{1}\r\n\r\n".utf8)) }
            }
            try await group.waitForAll()
        }
        var status = 0
        let deadline = ContinuousClock.now + .seconds(20)
        while status != 201, ContinuousClock.now < deadline {
            status = (try? await board.post(try signed("Ada L", pass: true, key: classKey)).status) ?? 0
            if status != 201 { try await Task.sleep(for: .milliseconds(200)) }
        }
        #expect(status == 201)
    }
}

@Suite("CLI: check --submit")
struct SubmitCLITests {
    @Test("--submit posts each lesson's signed results; it needs a key, refuses --solution and a bad URL; a board that is down is said")
    func submit() async throws {
        // The CLI runs here as `netlab check` runs in its own process, where nothing else
        // queues for the threads: its waits resume on NetExecutor, not behind the suite.
        try await withTaskExecutorPreference(NetExecutor.shared) { try await submitOnNetExecutor() }
    }

    func submitOnNetExecutor() async throws {
        let wb = try TempWorkbook()
        defer { wb.cleanup() }
        let file = temporaryStateFile()
        defer { try? FileManager.default.removeItem(at: file) }
        let board = try RunningBoard(stateFile: file, key: classKey)
        defer { Task { await board.stop() } }
        try wb.write("ada.key", classKey.forStudent("Ada L").fileText)
        let url = "http://\(board.address)/"
        let env = ["NETLAB_CLASS_KEY_FILE": wb.url("ada.key").path]
        let posted = await runCLI(["check", "1", "2", "--cmd", "x", "--submit", url], in: wb.root, environment: env)
        #expect(posted.out.components(separatedBy: "Class board: posted as Ada L (from the student key)").count == 3, "\(posted.out)\(posted.err)")
        #expect(board.server.state.all.count == 2)
        let noKey = await runCLI(["check", "1", "--cmd", "x", "--submit", url], in: wb.root, environment: ["NETLAB_STUDENT": "x"])
        #expect(noKey.status == 2 && noKey.err.contains("--submit posts signed results, and no key signs them"), "\(noKey.err)")
        let solution = await runCLI(["check", "1", "--solution", "--submit", url], in: wb.root, environment: env)
        #expect(solution.status == 2 && solution.err.contains("the reference solution's are not yours to post"))
        let badURL = await runCLI(["check", "1", "--cmd", "x", "--submit", "ftp://x"], in: wb.root, environment: env)
        #expect(badURL.status == 2 && badURL.err.contains("the board's URL is http://HOST:PORT/"))
        // A board that is not there: the check's own verdict and exit status stand, and it is said.
        let closed = try TCPListener.listen(address: "127.0.0.1:0")
        let downURL = "http://127.0.0.1:\(closed.address.port)/"
        try closed.close()
        let down = await runCLI(["check", "1", "--cmd", "x", "--submit", downURL], in: wb.root, environment: env)
        #expect(down.status == 0 && down.out.contains("Class board: could not post to \(downURL)"), "\(down.out)")
        #expect(BoardClient.target("http://h:1")! == ("h:1", "/results"))
        #expect(BoardClient.target("http://h:1/class/")! == ("h:1", "/class/results"))
        #expect(BoardClient.target("http://h:1/results")! == ("h:1", "/results"))
        #expect(BoardClient.target("http://h/") == nil && BoardClient.target("https://h:1/") == nil && BoardClient.target("http://u@h:1/") == nil)
    }
}

/// The board in a real browser: headless Chromium (Debian `chromium`, installed by
/// scripts/install-deps.sh) driven by scripts/board-browser.py over the DevTools protocol.
@Suite("Class board in headless Chromium", .serialized, .timeLimit(.minutes(3)))
struct ClassBoardBrowserTests {
    @Test("the page goes live, and a result posted while it is open appears without a reload; the screenshot is taken")
    func liveInChromium() async throws {
        let file = temporaryStateFile()
        defer { try? FileManager.default.removeItem(at: file) }
        let board = try RunningBoard(stateFile: file, key: classKey)
        defer { Task { await board.stop() } }
        #expect(try await board.post(try signed("Ada L", pass: true, key: classKey)).status == 201)
        let screenshot = FileManager.default.temporaryDirectory.appendingPathComponent("netlab-board-\(UUID().uuidString).png")
        defer { try? FileManager.default.removeItem(at: screenshot) }
        let script = packageRoot.appendingPathComponent("scripts/board-browser.py").path
        var found: String?
        for path in ["/usr/bin/python3", "/usr/local/bin/python3"] where found == nil {
            if (try? await ProcessRunner.run(path, ["-c", "import websockets"], timeout: .seconds(30)))?.status == 0 { found = path }
        }
        let python = try #require(found, "no python3 with websockets (Debian python3-websockets): run scripts/install-deps.sh")
        #expect(
            (try? await ProcessRunner.run("chromium", ["--version"], timeout: .seconds(60)))?.status == 0,
            "no chromium (Debian chromium): run scripts/install-deps.sh")
        let posted = Mutex<Task<Int, Error>?>(nil)
        let output = try await ProcessRunner.run(
            python, [script, "http://\(board.address)/", screenshot.path, "--wait-for", "Grace H"], timeout: .seconds(150),
            onOutput: { data, isStderr in
                guard !isStderr, String(decoding: data, as: UTF8.self).contains("LIVE") else { return }
                posted.withLock { task in
                    if task == nil { task = Task { try await board.post(try signed("Grace H", pass: false, key: classKey)).status } }
                }
            })
        #expect(output.status == 0, "\(output.stdoutText)\(output.stderrText.suffix(2000))")
        #expect(output.stdoutText.contains("LIVE\nSEEN"), "\(output.stdoutText)")
        #expect(try await posted.withLock { $0 }?.value == 201)
        let png = try Data(contentsOf: screenshot)
        #expect(png.count > 5000 && png.starts(with: [0x89, 0x50, 0x4E, 0x47]))
    }
}

/// Thirty students over ten minutes of a workshop, compressed: each works through lessons 1–3
/// and gets stuck where students do, posting every attempt with their own key.
@Suite("Class board: a simulated workshop", .serialized, .timeLimit(.minutes(3)))
struct ClassBoardWorkshopTests {
    /// The checks of the three lessons, in order.
    static let checks = [
        1: ["accepts a client", "serves clients one after another", "logs each client"],
        2: ["a silent client does not block the next one", "serves 100 clients at the same time", "accepts 1,000 connections at once"],
        3: ["closes an idle client after the idle timeout", "keeps a client that talks", "says why each connection closed"],
    ]

    /// Student `s`'s attempts, in order: lesson, and the index of the first check it fails (nil:
    /// passed). Everyone passes 1 (some on a second try); most get stuck on 2's second check for
    /// a while; a third of the class reaches 3 and half of them are stuck on its first check.
    static func attempts(of s: Int) -> [(lesson: Int, firstFailure: Int?)] {
        var out: [(Int, Int?)] = []
        if s % 4 == 0 { out.append((1, 2)) }
        out.append((1, nil))
        out.append((2, 1))
        if s % 3 != 0 { out.append((2, s % 5 == 0 ? 2 : 1)) }
        if s % 3 == 0 {
            out.append((2, nil))
            out.append((3, s % 2 == 0 ? 0 : nil))
        }
        return out
    }

    static func results(student: String, lesson: Int, firstFailure: Int?, at minute: Double, key: ClassKey) throws -> Data {
        let names = checks[lesson]!
        let tests = names.enumerated().map { i, name in
            let pass = firstFailure.map { i < $0 } ?? true
            return ResultsJSON.Test(
                name: name, status: pass ? "pass" : "fail", message: pass ? nil : "no", output: nil, testCode: "", taskID: i + 1,
                points: pass ? 1 : 0, maxPoints: 1)
        }
        let seconds = Int(minute * 60)
        let doc = ResultsJSON.ResultsDocument(
            status: firstFailure == nil ? "pass" : "fail", message: nil, tests: tests, points: tests.map(\.points).reduce(0, +),
            maxPoints: tests.count, lesson: .init(number: lesson, slug: String(format: "%02d-l", lesson), title: "Lesson \(lesson)"),
            student: student, generatedAt: String(format: "2026-12-07T10:%02d:%02dZ", seconds / 60, seconds % 60))
        return try ResultsSignature.sign(try ResultsJSON.encode(doc), key: key)
    }

    @Test("thirty students post over ten (compressed) minutes: the board and report agree on who is where and what they are stuck on")
    func workshop() async throws {
        let file = temporaryStateFile()
        defer { try? FileManager.default.removeItem(at: file) }
        let board = try RunningBoard(stateFile: file, key: classKey)
        defer { Task { await board.stop() } }
        var posts: [(minute: Double, data: Data)] = []
        for s in 0..<30 {
            let name = "Student \(String(format: "%02d", s + 1))"
            let key = classKey.forStudent(name)
            let tries = Self.attempts(of: s)
            for (i, attempt) in tries.enumerated() {
                // Spread over the ten minutes, in order for each student.
                let minute = Double(i + 1) * 10 / Double(tries.count + 1) + Double(s % 7) * 0.05
                posts.append(
                    (minute, try Self.results(student: name, lesson: attempt.lesson, firstFailure: attempt.firstFailure, at: minute, key: key)))
            }
        }
        posts.sort { $0.minute < $1.minute }
        for post in posts { #expect(try await board.post(post.data).status == 201) }
        #expect(board.server.state.all.count == posts.count)

        let report = board.server.state.report()
        #expect(report.rows.count == 30)
        let stuck = ClassStuck(report)
        let lesson2 = try #require(stuck.lessons.first { $0.lesson.number == 2 })
        // Students 0, 3, 6, … (10 of them) passed 2; of the other 20, those with s % 5 == 0 fail
        // its third check first, the rest its second.
        #expect(lesson2.took == 30 && lesson2.passed == 10)
        #expect(lesson2.mostOftenFirst?.name == "serves 100 clients at the same time")
        let lesson3 = try #require(stuck.lessons.first { $0.lesson.number == 3 })
        #expect(lesson3.took == 10 && lesson3.passed == 5 && lesson3.mostOftenFirst?.name == "closes an idle client after the idle timeout")
        #expect(!stuck.lessons.contains { $0.lesson.number == 1 })  // everyone passed 1
        #expect(report.rows.first { $0.student == "Student 01" }?.cells["01-l"]?.attempts == 2)

        // What an instructor would look at: the report over the state file, and (when asked
        // for, with NETLAB_BOARD_SCREENSHOT=FILE) the board in a browser.
        let (files, problems) = BoardState.files(inStateFile: try Data(contentsOf: file), named: "class-board.jsonl")
        #expect(problems.isEmpty)
        let fromState = ClassReport(files: files, key: classKey)
        #expect(fromState.rows.count == 30 && fromState.rows.allSatisfy { $0.signature == .verified })
        #expect(fromState.renderText() == report.renderText())
        if let shot = ProcessInfo.processInfo.environment["NETLAB_BOARD_SCREENSHOT"] {
            try fromState.renderText().write(toFile: shot + ".report.txt", atomically: true, encoding: .utf8)
            let script = packageRoot.appendingPathComponent("scripts/board-browser.py").path
            let out = try await ProcessRunner.run("/usr/bin/python3", [script, "http://\(board.address)/", shot], timeout: .seconds(120))
            #expect(out.status == 0, "\(out.stdoutText)")
        }
    }
}
