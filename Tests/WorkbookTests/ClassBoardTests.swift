import CheckResults
@testable import ClassBoard
import Foundation
import NetCore
import ProcessSupervision
@testable import NetlabCommandLine
import Synchronization
import Testing
@testable import Workbook

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
