import CheckResults
import Foundation
import LessonKit
import NetCore
import Synchronization

/// `netlab class serve`: the instructor's live board, an HTTP/1.1 server on NetCore.
///
/// - `GET /` the board page; `GET /events` server-sent events, a snapshot now and on every
///   change; `GET /state` the snapshot as JSON; `GET /state.jsonl` the state file.
/// - `POST /results` a signed results file, as `netlab check --submit` sends it: 201 accepted,
///   200 already on the board, 401 unsigned or a bad signature, 411 no `Content-Length`, 413
///   over 1 MiB, 422 not netlab results (what was wrong is in the body).
///
/// Every request is bounded: its head at 16 KiB read within 10 s, its body at 1 MiB within
/// 10 s, at most 256 connections at once (more are closed at once) and 64 event streams; one
/// request per connection. A student's post is untrusted: only files that verify under the
/// class key (or their own student key, see ``ClassKey/forStudent(_:)``) count.
public final class BoardServer: Sendable {
    /// What one request, and the server, may take.
    public struct Limits: Sendable {
        public var head = 16 << 10
        public var body = 1 << 20
        public var connections = 256
        public var streams = 64
        public var requestTimeout: Duration = .seconds(10)
        public init() {}
    }

    public let limits: Limits
    public let state: BoardState
    let events = EventHub()
    private let connections = Mutex(0)
    /// What the server says as it goes (`posted: Ada L, 03-timeouts, pass`), escaped.
    let log: @Sendable (String) -> Void

    public init(state: BoardState, limits: Limits = Limits(), log: @escaping @Sendable (String) -> Void = { _ in }) {
        self.state = state
        self.limits = limits
        self.log = log
    }

    /// Serves `listener` until the task is cancelled.
    public func serve(_ listener: TCPListener) async throws {
        events.publish(BoardSnapshot(state).json())
        defer { events.finishAll() }
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { [events] in
                while !Task.isCancelled {
                    try await Task.sleep(for: .seconds(15))
                    events.repeatLatest()
                }
            }
            group.addTask { try await NetCore.serve(listener) { conn in await self.handle(conn) } }
            try await group.next()
            group.cancelAll()
        }
    }

    func handle(_ conn: TCPConn) async {
        let admitted = connections.withLock { count -> Bool in
            guard count < limits.connections else { return false }
            count += 1
            return true
        }
        guard admitted else {
            try? conn.closeWithReset()
            return
        }
        defer { connections.withLock { $0 -= 1 } }
        await serveOne(conn)
        await lingeringClose(conn)
    }

    /// Ends a connection whose client may still be sending (a request the board answered without
    /// reading all of it): its side is closed first and what is in flight read and dropped, for up
    /// to 1 s or 1 MiB, so the kernel does not answer it with a reset that could destroy the
    /// answer before the client reads it (Go's net/http does the same).
    func lingeringClose(_ conn: TCPConn) async {
        try? conn.closeWrite()
        try? conn.setReadDeadline(.after(.seconds(1)))
        var drained = 0
        while drained < 1 << 20, let chunk = try? await conn.read(upToCount: 64 << 10), !chunk.isEmpty { drained += chunk.count }
        try? conn.close()
    }

    func serveOne(_ conn: TCPConn) async {
        do {
            try conn.setReadDeadline(.after(limits.requestTimeout))
            try conn.setWriteDeadline(.after(limits.requestTimeout))
            let (head, rest) = try await HTTPRequestHead.read(from: conn, maxBytes: limits.head)
            try await route(head, rest, conn)
        } catch let error as HTTPHeadError {
            switch error {
            case .tooLarge: try? await respond(conn, 431, "the request head is over \(limits.head) bytes\n")
            case .malformed(let why): try? await respond(conn, 400, "not an HTTP request: \(why)\n")
            case .endOfStream: break
            }
        } catch {
            // A deadline or a reset: the connection is done.
        }
    }

    func route(_ head: HTTPRequestHead, _ rest: [UInt8], _ conn: TCPConn) async throws {
        let path = head.target.split(separator: "?", maxSplits: 1).first.map(String.init) ?? head.target
        switch (head.method, path) {
        case ("GET", "/"), ("HEAD", "/"):
            try await respond(conn, 200, BoardPage.html, type: "text/html; charset=utf-8", head: head.method == "HEAD")
        case ("GET", "/state"):
            try await respond(conn, 200, BoardSnapshot(state).json(), type: "application/json")
        case ("GET", "/state.jsonl"):
            let lines = state.all.compactMap { try? BoardState.line($0) }.reduce(into: Data()) { $0.append($1) }
            try await respond(conn, 200, lines, type: "application/x-ndjson")
        case ("GET", "/events"):
            try await stream(conn)
        case ("POST", "/results"):
            try await post(head, rest, conn)
        case (_, "/"), (_, "/state"), (_, "/state.jsonl"), (_, "/events"), (_, "/results"):
            try await respond(conn, 405, "method not allowed\n")
        default:
            try await respond(conn, 404, "not found\n")
        }
    }

    /// `POST /results`: reads the body within its bounds, verifies it, and adds it.
    func post(_ head: HTTPRequestHead, _ rest: [UInt8], _ conn: TCPConn) async throws {
        if head.header("transfer-encoding") != nil {
            return try await respond(conn, 411, "send the results with a Content-Length, not chunked\n")
        }
        guard let lengthText = head.header("content-length") else {
            return try await respond(conn, 411, "a Content-Length is required\n")
        }
        guard let length = Int(lengthText), length >= 0, lengthText.allSatisfy(\.isASCII) else {
            return try await respond(conn, 400, "Content-Length is not a number\n")
        }
        guard length <= limits.body else {
            return try await respond(conn, 413, "results are at most \(limits.body) bytes; this post has \(length)\n")
        }
        var body = Array(rest.prefix(length))
        if body.count < length { body += try await conn.readExactly(length - body.count) }
        let data = Data(body)
        let (verdict, payload) = ResultsSignature.verify(data, key: state.key)
        switch verdict {
        case .verified: break
        case .unsigned, .notChecked:
            return try await respond(conn, 401, "unsigned results: the board takes results signed with the class key or your own key\n")
        case .bad(let why):
            return try await respond(conn, 401, "bad signature: \(why)\n")
        }
        let decoded: (student: String?, lessons: [ResultsJSON.ResultsDocument])
        do {
            decoded = try ResultsJSON.decodeAny(payload)
            try ResultsValidation.validate(student: decoded.student, lessons: decoded.lessons)
        } catch let invalid as ResultsValidation.Invalid {
            return try await respond(conn, 422, "not accepted: \(invalid.reason)\n")
        } catch {
            return try await respond(conn, 422, "not netlab results\n")
        }
        guard let student = decoded.student, !student.isEmpty else {
            return try await respond(conn, 422, "not accepted: the results name no student (netlab check records one)\n")
        }
        let fresh: Bool
        do {
            fresh = try await state.add(data, at: Date())
        } catch {
            return try await respond(conn, 503, "the board cannot keep it: \(error)\n")
        }
        let name = UntrustedText.escaped(String(student.prefix(ResultsValidation.nameLimit)))
        if fresh {
            let what = decoded.lessons.map { "\(UntrustedText.escaped($0.lesson.slug)) \($0.status)" }.joined(separator: ", ")
            log("posted: \(name): \(what)")
            events.publish(BoardSnapshot(state).json())
        }
        try await respond(conn, fresh ? 201 : 200, fresh ? "accepted: \(name)\n" : "already on the board\n")
    }

    /// `GET /events`: the snapshot now and after every change (the newest only, for a client
    /// that falls behind), with a comment every 15 s so that a dead client is found.
    func stream(_ conn: TCPConn) async throws {
        guard let subscription = events.subscribe(limit: limits.streams) else {
            return try await respond(conn, 503, "too many boards open (\(limits.streams))\n")
        }
        defer { events.unsubscribe(subscription.id) }
        try conn.setReadDeadline(nil)
        try await conn.write(
            "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nCache-Control: no-store\r\nX-Content-Type-Options: nosniff\r\n\r\n")
        for await message in subscription.stream {
            try conn.setWriteDeadline(.after(limits.requestTimeout))
            try await conn.write(message)
        }
    }

    func respond(_ conn: TCPConn, _ status: Int, _ body: String, type: String = "text/plain; charset=utf-8", head: Bool = false) async throws {
        try await respond(conn, status, Data(body.utf8), type: type, head: head)
    }

    func respond(_ conn: TCPConn, _ status: Int, _ body: Data, type: String, head: Bool = false) async throws {
        let reason = Self.reasons[status] ?? "Status"
        var text = "HTTP/1.1 \(status) \(reason)\r\nContent-Type: \(type)\r\nContent-Length: \(body.count)\r\nConnection: close\r\n"
        text += "Cache-Control: no-store\r\nX-Content-Type-Options: nosniff\r\n"
        text += "Content-Security-Policy: default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; connect-src 'self'\r\n\r\n"
        try await conn.write(Array(text.utf8) + (head ? [] : Array(body)))
    }

    static let reasons = [
        200: "OK", 201: "Created", 400: "Bad Request", 401: "Unauthorized", 404: "Not Found", 405: "Method Not Allowed",
        411: "Length Required", 413: "Content Too Large", 422: "Unprocessable Content", 431: "Request Header Fields Too Large",
        503: "Service Unavailable",
    ]
}
