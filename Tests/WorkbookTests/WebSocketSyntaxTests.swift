@testable import CheckLanguage
@testable import CheckRuntime
import NetTLS
import Testing

@Suite("WebSocket and HTTP steps: syntax and errors")
struct WebSocketSyntaxTests {
    @Test("connect … websocket PATH [no-pong] parses to an upgrading client")
    func connectSyntax() throws {
        let s = try steps(
            """
              connect a websocket "/chat"
              connect b websocket "/chat?room=1" no-pong within 2s
              connect c websocket "/chat" no-read
            """)
        #expect(s[0].connect?.webSocket == WebSocketConnect(path: "/chat"))
        #expect(s[1].connect?.webSocket == WebSocketConnect(path: "/chat?room=1", answersPings: false))
        #expect(s[1].connect?.within == .seconds(2))
        #expect(s[2].connect?.webSocket != nil && s[2].connect?.readsNothing == true)
    }

    @Test("send … ws: every kind of frame, with its options, back to back")
    func sendSyntax() throws {
        let s = try steps(
            """
              connect a websocket "/chat"
              send a ws text "Hel" fin 0 then continuation "lo" then ws ping then pong hex "01 02" then close then close 1000 "bye"
              send a ws binary fill 70000 rsv 4 mask no length-form 64 in chunks of 997 every 1ms
              send a ws opcode 11 "x" mask hex "37 fa 21 3d" declared-length 1073741824
              send a ws close hex "03" then close 4999
            """)
        #expect(
            s[1].send?.payload
                == .webSocket([
                    WebSocketFrame(fin: false, opcode: 1, payload: .bytes(bytes("Hel"))),
                    WebSocketFrame(opcode: 0, payload: .bytes(bytes("lo"))),
                    WebSocketFrame(opcode: 9),
                    WebSocketFrame(opcode: 10, payload: .bytes([1, 2])),
                    WebSocketFrame(opcode: 8),
                    WebSocketFrame(opcode: 8, payload: .bytes([0x03, 0xe8] + bytes("bye"))),
                ]))
        #expect(s[2].send?.payload == .webSocket([WebSocketFrame(rsv: 4, opcode: 2, payload: .fill(70000), mask: .none, lengthForm: 64)]))
        #expect(s[2].send?.delivery == Delivery(chunking: .size(997), pause: .milliseconds(1)))
        #expect(
            s[3].send?.payload
                == .webSocket([
                    WebSocketFrame(opcode: 11, payload: .bytes(bytes("x")), mask: .key([0x37, 0xfa, 0x21, 0x3d]), declaredLength: 1 << 30)
                ]))
        #expect(
            s[4].send?.payload
                == .webSocket([WebSocketFrame(opcode: 8, payload: .bytes([3])), WebSocketFrame(opcode: 8, payload: .bytes([0x13, 0x87]))]))
    }

    @Test("expect … ws and expect … http status parse to what they compare")
    func expectSyntax() throws {
        let s = try steps(
            """
              connect a websocket "/chat"
              expect a ws text "hi" within 2s
              expect a ws binary fill 4KiB
              expect a ws ping
              expect a ws pong ""
              expect a ws close
              expect a ws close none
              expect a received ws close 1002 or 1007 within 1s
              expect a http status 426 header "Sec-WebSocket-Version" "13" header "Connection" "close" within 2s
            """)
        let wanted = s.dropFirst().compactMap { $0.expectClient?.expectation }
        #expect(
            wanted == [
                .webSocket(.message(opcode: 1, .bytes(bytes("hi"))), within: .seconds(2)),
                .webSocket(.message(opcode: 2, .fill(4096)), within: nil),
                .webSocket(.ping(nil), within: nil),
                .webSocket(.pong(.bytes([])), within: nil),
                .webSocket(.close(.any), within: nil),
                .webSocket(.close(.none), within: nil),
                .webSocket(.close(.oneOf([1002, 1007])), within: .seconds(1)),
                .http(
                    ExpectedHTTPResponse(
                        status: 426, headers: [.init(name: "Sec-WebSocket-Version", value: "13"), .init(name: "Connection", value: "close")]),
                    within: .seconds(2)),
            ])
    }

    @Test("mistakes are errors at their line and column, with what would fit")
    func errors() {
        let cases: [(String, String)] = [
            ("  connect a no-pong", "checks.netlab:3:13: error: `no-pong` is for a WebSocket client"),
            ("  connect a websocket \"chat\"", "checks.netlab:3:23: error: \"chat\" is not a request path"),
            ("  tls-connect a websocket \"/chat\"", "checks.netlab:3:17: error: unexpected `websocket`"),
            ("  connect a\n  send a ws txt \"x\"", "checks.netlab:4:13: error: unexpected `txt` (did you mean `text`?)"),
            ("  connect a\n  send a ws text \"x\" rsv 8", "checks.netlab:4:26: error: `8` is too large"),
            ("  connect a\n  send a ws text \"x\" fin 1 fin 0", "checks.netlab:4:28: error: `fin` given twice for this frame"),
            ("  connect a\n  send a ws text \"x\" mask hex \"01 02\"", "checks.netlab:4:31: error: a masking key is 4 bytes; found 2"),
            ("  connect a\n  send a ws text fill 200 length-form 7", "checks.netlab:4:13: error: a length of 200 does not fit `length-form 7`"),
            ("  connect a\n  send a ws text fill 17MiB", "checks.netlab:4:23: error: size `17MiB` is too large; expected at most 16MiB"),
            ("  connect a\n  send a ws opcode 16", "checks.netlab:4:20: error: `16` is too large"),
            ("  connect a\n  expect a ws text", "checks.netlab:4:19: error: unexpected end of line; expected a payload after `text`"),
            ("  connect a\n  expect a ws close 70000", "checks.netlab:4:21: error: `70000` is too large"),
            ("  connect a\n  expect a ws message \"x\"", "checks.netlab:4:15: error: unexpected `message`"),
            ("  connect a\n  expect a http 404", "checks.netlab:4:17: error: unexpected `404`; expected `status`"),
            (
                "  connect a\n  expect a http status 404 header \"X\"",
                "checks.netlab:4:38: error: unexpected end of line; expected the header's value"
            ),
            ("  connect a\n  send a random 1KiB as ws", "checks.netlab:4:25: error: `ws` is a keyword"),
        ]
        for (body, wanted) in cases {
            let got = stepError(body) ?? "no error"
            #expect(got.hasPrefix(wanted), "for \(body): \(got)")
        }
    }
}

@Suite("WebSocket wire format: the checker's codec")
struct WebSocketWireTests {
    @Test("RFC 6455's examples: the accept value of section 1.3 and the masked frame of section 5.7")
    func rfcExamples() {
        #expect(WebSocketWire.accept(forKey: "dGhlIHNhbXBsZSBub25jZQ==") == "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=")
        #expect(base64Encode([]) == "" && base64Encode([0x66, 0x6f]) == "Zm8=")
        let frame = WebSocketFrame(opcode: WebSocketOpcode.text, payload: .bytes(bytes("Hello")), mask: .key([0x37, 0xfa, 0x21, 0x3d]))
        #expect(WebSocketWire.encode(frame) == [0x81, 0x85, 0x37, 0xfa, 0x21, 0x3d, 0x7f, 0x9f, 0x4d, 0x51, 0x58])
        // Section 5.7's unmasked examples, as a server sends them.
        #expect(
            WebSocketWire.scan([0x81, 0x05] + bytes("Hello"))
                == .frame(.init(fin: true, rsv: 0, opcode: 1, masked: false, payload: bytes("Hello")), size: 7))
        #expect(
            WebSocketWire.scan([0x01, 0x03, 0x48, 0x65, 0x6c])
                == .frame(.init(fin: false, rsv: 0, opcode: 1, masked: false, payload: bytes("Hel")), size: 5))
        let long = WebSocketWire.scan([0x82, 0x7e, 0x01, 0x00] + [UInt8](repeating: 7, count: 256))
        #expect(long == .frame(.init(fin: true, rsv: 0, opcode: 2, masked: false, payload: [UInt8](repeating: 7, count: 256)), size: 260))
    }

    @Test("lengths in every form, masked a word at a time, and back")
    func roundTrip() {
        for n in [0, 1, 7, 8, 9, 125, 126, 127, 65535, 65536, 70001] {
            for form in [nil, 64] as [Int?] {
                let payload = WebSocketData.fill(n)
                let encoded = WebSocketWire.encode(WebSocketFrame(opcode: 2, payload: payload, mask: .key([1, 2, 3, 4]), lengthForm: form))
                guard case .frame(let f, let size) = WebSocketWire.scan(encoded) else {
                    Issue.record("no frame for \(n)")
                    continue
                }
                #expect(size == encoded.count && f.masked && f.payload == payload.bytes, "length \(n), form \(form ?? 0)")
            }
        }
    }

    @Test("a server's frame is bounded before it is awaited, and its faults are named")
    func bounds() {
        #expect(WebSocketWire.scan([0x81]) == .incomplete(needed: 2))
        #expect(WebSocketWire.scan([0x81, 0x7e, 0x01]) == .incomplete(needed: 4))
        #expect(WebSocketWire.scan([0x81, 0x7e, 0x01, 0x00, 0x61]) == .incomplete(needed: 260))
        guard case .invalid(let top) = WebSocketWire.scan([0x82, 0x7f, 0x80, 0, 0, 0, 0, 0, 0, 1]) else {
            Issue.record("top bit accepted")
            return
        }
        #expect(top.contains("top bit set"))
        guard case .invalid(let huge) = WebSocketWire.scan([0x82, 0x7f, 0, 0, 0, 0, 0x40, 0, 0, 0]) else {
            Issue.record("1 GiB accepted")
            return
        }
        #expect(huge.contains("1073741824 bytes of payload, over the 16 MiB"))
        let frame = { (b0: UInt8, masked: Bool, n: Int) in
            WebSocketWire.Frame(fin: b0 & 0x80 != 0, rsv: b0 >> 4 & 7, opcode: b0 & 15, masked: masked, payload: [UInt8](repeating: 0, count: n))
        }
        #expect(WebSocketWire.violation(frame(0x81, false, 3)) == nil)
        #expect(WebSocketWire.violation(frame(0x81, true, 3))?.contains("masked") == true)
        #expect(WebSocketWire.violation(frame(0xc1, false, 3))?.contains("RSV") == true)
        #expect(WebSocketWire.violation(frame(0x83, false, 3))?.contains("reserved opcode 3") == true)
        #expect(WebSocketWire.violation(frame(0x09, false, 3))?.contains("fragmented") == true)
        #expect(WebSocketWire.violation(frame(0x8a, false, 126))?.contains("126 bytes") == true)
    }

    @Test("the ping scanner skips the response head and data, and finds pings split across reads")
    func pingScanner() {
        var scanner = PingScanner()
        let head = bytes("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n\r\n")
        let data = [0x82, 0x7e, 0x01, 0x00] + [UInt8](repeating: 0x89, count: 256)  // payload bytes that look like pings
        let ping = [0x89, 0x04] + bytes("ping")
        let empty: [UInt8] = [0x89, 0x00]
        let stream = head + data + ping + [0x81, 0x01, 0x41] + empty
        var found: [[UInt8]] = []
        for piece in stride(from: 0, to: stream.count, by: 3) { found += scanner.feed(Array(stream[piece..<min(stream.count, piece + 3)])) }
        #expect(found == [bytes("ping"), []])
        var whole = PingScanner()
        #expect(whole.feed(stream) == [bytes("ping"), []])
    }

    @Test("an HTTP response head: status, headers without case, token lists, bounded")
    func httpHead() {
        let text =
            "HTTP/1.1 101 Switching Protocols\r\nupgrade: WebSocket\r\nConnection: keep-alive, Upgrade\r\nSec-WebSocket-Accept:  x= \r\n\r\nrest"
        guard case .head(let head) = HTTPResponseHead.scan(bytes(text)) else {
            Issue.record("no head")
            return
        }
        #expect(head.status == 101 && head.reason == "Switching Protocols" && head.size == text.utf8.count - 4)
        #expect(head.value("UPGRADE") == "WebSocket" && head.value("sec-websocket-accept") == "x=")
        #expect(head.has("connection", token: "upgrade") && !head.has("connection", token: "close"))
        #expect(HTTPResponseHead.scan(bytes("HTTP/1.1 200 OK\r\n")) == .incomplete)
        #expect(
            HTTPResponseHead.scan([UInt8](repeating: 0x61, count: 8193)) == .invalid("no end of the response head (a blank line) within 8192 bytes"))
        guard case .invalid(let why) = HTTPResponseHead.scan(bytes("SSH-2.0-OpenSSH\r\n\r\n")) else {
            Issue.record("not refused")
            return
        }
        #expect(why.contains("the status line is not"))
    }
}
