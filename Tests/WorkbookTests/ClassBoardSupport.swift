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
final class RunningBoard: Sendable {
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

let classKey = try! ClassKey(hexText: String(repeating: "5a", count: 32))

/// Lesson `lesson`'s results for `student`, signed with `key`.
func signed(_ student: String, lesson: Int = 3, pass: Bool, key: ClassKey, at time: String = "2026-12-07T10:00:00Z") throws -> Data {
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

func temporaryStateFile() -> URL {
    FileManager.default.temporaryDirectory.appendingPathComponent("netlab-board-\(UUID().uuidString).jsonl")
}
