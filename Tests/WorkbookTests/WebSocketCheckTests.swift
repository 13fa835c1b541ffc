@testable import CheckLanguage
@testable import CheckResults
@testable import CheckRuntime
import Foundation
import NetCore
import Testing

/// A WebSocket server in the test process, on NetCore, that the test controls: it answers each
/// connection's request head with `answer(key)` (the key of `Sec-WebSocket-Key`, "" when none)
/// and then runs `then` on the connection (with the bytes that came after the head).
final class TestWebSocketServer: Sendable {
    let listener: TCPListener
    var address: String { listener.address.description }
    private let acceptor: Task<Void, Never>

    init(
        answer: @escaping @Sendable (String) -> [UInt8] = TestWebSocketServer.upgrade,
        then: @escaping @Sendable (TCPConn, ClientFrames) async throws -> Void
    ) throws {
        let listener = try TCPListener.listen(address: "127.0.0.1:0")
        self.listener = listener
        acceptor = Task {
            await withTaskGroup(of: Void.self) { group in
                while let conn = try? await listener.accept() {
                    group.addTask {
                        defer { try? conn.close() }
                        do {
                            try conn.setDeadline(.after(.seconds(20)))
                            var head: [UInt8] = []
                            while !head.suffix(4).elementsEqual([13, 10, 13, 10]) {
                                let piece = try await conn.read(upToCount: 1)
                                if piece.isEmpty || head.count > 65536 { return }
                                head += piece
                            }
                            let text = String(decoding: head, as: UTF8.self)
                            let key =
                                text.split(separator: "\r\n").first { $0.lowercased().hasPrefix("sec-websocket-key:") }
                                .map { String($0.dropFirst("sec-websocket-key:".count)).trimmingWhitespace() } ?? ""
                            try await conn.write(answer(key))
                            try await then(conn, ClientFrames(conn))
                        } catch {}
                    }
                }
            }
        }
    }

    deinit {
        try? listener.close()
        acceptor.cancel()
    }

    /// A correct `101`.
    @Sendable static func upgrade(_ key: String) -> [UInt8] {
        Array(
            "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: \(WebSocketWire.accept(forKey: key))\r\n\r\n"
                .utf8)
    }

    /// A frame as a server sends it (never masked).
    static func frame(_ opcode: UInt8, _ payload: [UInt8] = [], fin: Bool = true) -> [UInt8] {
        WebSocketWire.encode(WebSocketFrame(fin: fin, opcode: opcode, payload: .bytes(payload), mask: .none))
    }
}

/// Reads the client's frames from a connection, one at a time.
final class ClientFrames: @unchecked Sendable {
    let conn: TCPConn
    private var buffer: [UInt8] = []

    init(_ conn: TCPConn) { self.conn = conn }

    /// The next frame, or nil when none comes within `timeout` or the connection ends.
    func next(timeout: Duration = .seconds(10)) async -> WebSocketWire.Frame? {
        try? conn.setReadDeadline(.after(timeout))
        while true {
            switch WebSocketWire.scan(buffer) {
            case .frame(let f, let size):
                buffer.removeFirst(size)
                return f
            case .invalid: return nil
            case .incomplete:
                guard let piece = try? await conn.read(upToCount: 65536), !piece.isEmpty else { return nil }
                buffer += piece
            }
        }
    }
}

/// Runs a script with one check against netlab-testserver, its clients connecting to `server`.
private func runAgainst(_ server: TestWebSocketServer, _ body: String, sourceLocation: Testing.SourceLocation = #_sourceLocation) async throws
    -> CheckResult
{
    let script = "start --listen {listen}\ncheck \"ws\"\n" + body.replacingOccurrences(of: "SERVER", with: "\"\(server.address)\"")
    return try await runOne(script, sourceLocation: sourceLocation)
}

@Suite("WebSocket client steps against a server the test controls", .serialized, .timeLimit(.minutes(2)))
struct WebSocketCheckTests {
    @Test("upgrade, text, a ping answered, a keepalive ping answered by the client and skipped, close")
    func conversation() async throws {
        let server = try TestWebSocketServer { conn, frames in
            guard let hello = await frames.next(), hello.opcode == 1, hello.masked else { return }
            try await conn.write(TestWebSocketServer.frame(1, hello.payload))
            guard let ping = await frames.next(), ping.opcode == 9 else { return }
            try await conn.write(TestWebSocketServer.frame(10, ping.payload))
            // The server's own ping, then a text: the client answers the ping by itself.
            try await conn.write(TestWebSocketServer.frame(9, Array("keepalive".utf8)) + TestWebSocketServer.frame(1, Array("after ping".utf8)))
            guard let pong = await frames.next(), pong.opcode == 10, pong.payload == Array("keepalive".utf8) else { return }
            try await conn.write(TestWebSocketServer.frame(1, Array("got your pong".utf8)))
            guard let close = await frames.next(), close.opcode == 8 else { return }
            try await conn.write(TestWebSocketServer.frame(8, Array(close.payload.prefix(2))))
        }
        let r = try await runAgainst(
            server,
            """
              connect a websocket "/chat" to SERVER
              send a ws text "hello" in chunks of 2
              expect a ws text "hello" within 5s
              send a ws ping "p"
              expect a ws pong "p" within 5s
              expect a ws text "after ping" within 5s
              expect a ws text "got your pong" within 5s
              send a ws close 1000 "bye"
              expect a ws close 1000 within 5s
              expect a closed within 5s
            """)
        expectPass(r)
        #expect(r.transcript.contains("upgraded to WebSocket /chat (101, Sec-WebSocket-Accept "), "\(r.transcript)")
        #expect(r.transcript.contains(#"[client a] sent ws text "hello" (5 bytes) (frame of 11 bytes) in 6 chunks"#), "\(r.transcript)")
        #expect(r.transcript.contains(#"[client a] received ws text "hello" (5 bytes)"#), "\(r.transcript)")
        #expect(r.transcript.contains(#"answered the server's ping: sent ws pong "keepalive" (9 bytes)"#), "\(r.transcript)")
        #expect(r.transcript.contains(#"received ws text "after ping" (10 bytes) (after 1 keepalive ping)"#), "\(r.transcript)")
        #expect(r.transcript.contains(#"[client a] received ws close 1000"#), "\(r.transcript)")
    }

    @Test("a no-pong client leaves the server's ping unanswered; expect … ws ping sees it")
    func noPong() async throws {
        let server = try TestWebSocketServer { conn, frames in
            try await conn.write(TestWebSocketServer.frame(9, Array("k".utf8)))
            let answer = await frames.next(timeout: .milliseconds(500))
            try await conn.write(TestWebSocketServer.frame(1, Array((answer == nil ? "silent" : "answered").utf8)))
        }
        let r = try await runAgainst(
            server,
            """
              connect a websocket "/chat" to SERVER no-pong
              expect a ws ping "k" within 5s
              expect a ws text "silent" within 5s
            """)
        expectPass(r)
    }

    @Test("a wrong Sec-WebSocket-Accept, a 404 and a silent server fail the connect, each saying why")
    func refusedUpgrades() async throws {
        let wrong = try TestWebSocketServer(
            answer: { _ in
                Array("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: AAAA\r\n\r\n".utf8)
            },
            then: { _, _ in })
        expectFail(
            try await runAgainst(wrong, "  connect a websocket \"/chat\" to SERVER"),
            #"the 101's Sec-WebSocket-Accept is "AAAA"; expected ""#)
        let notFound = try TestWebSocketServer(
            answer: { _ in Array("HTTP/1.1 404 Not Found\r\nContent-Length: 9\r\nConnection: close\r\n\r\nnot found".utf8) },
            then: { _, _ in })
        expectFail(try await runAgainst(notFound, "  connect a websocket \"/nope\" to SERVER"), "the server answered 404 Not Found, not 101")
        // The same answer, read with `expect … http status`: the head and its body are consumed.
        expectPass(
            try await runAgainst(
                notFound,
                """
                  connect b to SERVER
                  send b "GET /nope HTTP/1.1\\r\\n\\r\\n"
                  expect b http status 404 header "connection" "close" within 5s
                  expect b eof within 5s
                """))
        expectFail(
            try await runAgainst(
                notFound,
                """
                  connect b to SERVER
                  send b "GET /nope HTTP/1.1\\r\\n\\r\\n"
                  expect b http status 400 within 5s
                """),
            "expected an HTTP response with status 400 from client b; got 404 Not Found")
        let silent = try TestWebSocketServer(
            answer: { _ in [] }, then: { _, frames in _ = await frames.next(timeout: .seconds(5)) })
        expectFail(
            try await runAgainst(silent, "  connect a websocket \"/chat\" to SERVER within 500ms"),
            "client a sent a WebSocket upgrade for /chat; no complete answer within 500ms (got nothing)")
    }

    @Test("frames right after the 101 are kept, also for a client that reads nothing until it expects")
    func framesAfterTheHead() async throws {
        let server = try TestWebSocketServer(
            answer: { key in TestWebSocketServer.upgrade(key) + TestWebSocketServer.frame(1, Array("early".utf8)) },
            then: { conn, _ in
                try await conn.write(TestWebSocketServer.frame(2, [0, 0xff]))
                try await Task.sleep(for: .seconds(2))
            })
        expectPass(
            try await runAgainst(
                server,
                """
                  connect a websocket "/chat" to SERVER no-read
                  sleep 100ms
                  expect a ws text "early" within 5s
                  expect a ws binary hex "00 ff" within 5s
                """))
    }

    @Test("a server's bad frames fail the expectation, saying what was wrong, its text escaped")
    func badServerFrames() async throws {
        let cases: [([UInt8], String, String)] = [
            (
                WebSocketWire.encode(WebSocketFrame(opcode: 1, payload: .bytes([0x61]), mask: .key([1, 2, 3, 4]))), "ws text \"a\"",
                "the server masked its frame"
            ),
            ([0x82, 0x7f, 0, 0, 0, 0, 0x40, 0, 0, 0], "ws binary hex \"00\"", "1073741824 bytes of payload, over the 16 MiB the checker accepts"),
            (TestWebSocketServer.frame(1, Array("x".utf8)), "ws close 1002", #"expected ws close 1002 from client a; got text "x" (1 byte)"#),
            (TestWebSocketServer.frame(8, [0x03, 0xe8]), "ws close 1002 or 1007", "expected ws close 1002 or 1007 from client a; got close 1000"),
            (
                TestWebSocketServer.frame(1, Array("frag".utf8), fin: false), "ws text \"frag\"",
                "a fragment: the server should send each message as one frame"
            ),
            (
                TestWebSocketServer.frame(1, [0x1b] + Array("[2J".utf8)), "ws text \"hi\"",
                #"got text hex "1b 5b 32 4a" (4 bytes), not the 2 bytes expected"#
            ),
            (TestWebSocketServer.frame(1, Array("\u{202e}ab".utf8)), "ws text \"hi\"", #"got text "\u{202e}ab" (5 bytes), not the 2 bytes expected"#),
            (
                TestWebSocketServer.frame(9, []) + [0x81, 0x05, 0x68], "ws text \"hello\"",
                "expected ws text \"hello\" from client a; got 3 of the 7 bytes of a frame, then the connection ended"
            ),
        ]
        for (sent, expectation, wanted) in cases {
            let server = try TestWebSocketServer { conn, _ in try await conn.write(sent) }
            let r = try await runAgainst(server, "  connect a websocket \"/chat\" to SERVER\n  expect a \(expectation) within 5s")
            expectFail(r, wanted)
            #expect(!r.transcript.contains("\u{1b}") && !r.transcript.contains("\u{202e}"), "a control reached the transcript")
        }
    }
}
