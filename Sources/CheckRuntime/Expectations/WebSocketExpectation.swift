import CheckLanguage
import CheckResults
import Foundation

/// `expect NAME ws …` and `expect NAME http status N …`: the next frame, or the next response
/// head, that the server sent, decoded with the checker's own codec (WebSocketWire,
/// HTTPResponseHead). Pings the server sends by itself (keepalive) are skipped unless a ping is
/// what the step expects; the client's session has answered them already.
extension CheckExecution {
    func expectWebSocket(
        label: String, record: StreamRecord, _ expected: ExpectedWebSocket, within: Duration?, at location: SourceLocation
    ) async throws {
        let started = ContinuousClock.now
        let bound = within ?? stepTimeout
        let wanted = Self.words(expected)
        let wantedBytes: [UInt8]? =
            switch expected {
            case .message(_, let data): data.bytes
            case .ping(let data), .pong(let data): data?.bytes
            case .close: nil
            }
        var skipped = 0
        func shown(_ record: StreamRecord) -> [String] {
            let bytes = record.unmatchedPrefix(Self.shownFrameBytes + 1)
            return bytes.isEmpty ? [] : ["received: hex " + Bytes.hexWords(bytes, limit: Self.shownFrameBytes)]
        }
        let note = try await poll(
            until: started + bound, at: location,
            {
                while true {
                    let end = record.status.end  // read first: once it is set, every byte is in
                    var scan = WebSocketWire.scan(record.unmatchedPrefix(WebSocketWire.maximumHeader))
                    if case .incomplete(let needed) = scan, needed > WebSocketWire.maximumHeader, record.unmatchedCount >= needed {
                        scan = WebSocketWire.scan(record.unmatchedPrefix(needed))
                    }
                    switch scan {
                    case .incomplete(let needed):
                        guard let end else { return .wait }
                        let available = record.unmatchedCount
                        let got = available == 0 ? "nothing" : "\(available) of the \(needed) bytes of a frame"
                        return .fail("expected \(wanted) from \(label); got \(got), then the connection ended: \(end.words)", shown(record))
                    case .invalid(let why):
                        return .fail("expected \(wanted) from \(label); got a frame the checker refuses: \(why)", shown(record))
                    case .frame(let frame, let size):
                        record.consume(size)
                        if let violation = WebSocketWire.violation(frame) {
                            return .fail("expected \(wanted) from \(label); \(violation)", ["frame: " + Self.words(frame)])
                        }
                        if frame.opcode == WebSocketOpcode.ping, !Self.wantsPing(expected) {
                            skipped += 1
                            continue
                        }
                        if let mismatch = Self.mismatch(frame, expected, wantedBytes) {
                            return .fail("expected \(wanted) from \(label); got \(Self.words(frame))\(mismatch)", [])
                        }
                        let pings = skipped == 0 ? "" : " (after \(skipped) keepalive ping\(skipped == 1 ? "" : "s"))"
                        return .pass("received ws \(Self.words(frame))\(pings)")
                    }
                }
            },
            timeout: {
                let available = record.unmatchedCount
                var got = "nothing"
                if available > 0, case .incomplete(let needed) = WebSocketWire.scan(record.unmatchedPrefix(WebSocketWire.maximumHeader)) {
                    got = "\(available) of the \(needed) bytes of a frame, then nothing"
                }
                return ("expected \(wanted) from \(label) within \(bound.scriptText); got \(got)", shown(record))
            })
        if let note { transcript.add(label, note) }
    }

    static func wantsPing(_ expected: ExpectedWebSocket) -> Bool {
        if case .ping = expected { return true }
        return false
    }

    /// Why `frame` is not what is expected (a suffix for the message), or nil when it is.
    static func mismatch(_ frame: WebSocketWire.Frame, _ expected: ExpectedWebSocket, _ bytes: [UInt8]?) -> String? {
        let opcode: UInt8 =
            switch expected {
            case .message(let op, _): op
            case .ping: WebSocketOpcode.ping
            case .pong: WebSocketOpcode.pong
            case .close: WebSocketOpcode.close
            }
        guard frame.opcode == opcode else { return "" }
        if !frame.fin { return " (a fragment: the server should send each message as one frame)" }
        if case .close(let code) = expected {
            switch (code, frame.payload.count) {
            case (.any, 0), (.none, 0): return nil
            case (_, 1): return " (a close payload of 1 byte, which RFC 6455 §5.5.1 does not allow)"
            case (.none, _): return " (expected an empty close payload, echoing the client's)"
            case (.any, _): return nil
            case (.oneOf(let codes), _):
                let got = UInt16(frame.payload[0]) << 8 | UInt16(frame.payload[1])
                return codes.contains(got) ? nil : ""
            }
        }
        if let bytes, !Self.same(frame.payload, bytes) {
            let at = zip(frame.payload, bytes).enumerated().first { $0.element.0 != $0.element.1 }?.offset ?? min(frame.payload.count, bytes.count)
            return frame.payload.count == bytes.count
                ? ", which differs at byte \(at)" : ", not the \(Bytes.size(bytes.count)) expected (they differ from byte \(at))"
        }
        return nil
    }

    /// Whether two payloads are equal (memcmp: a payload may be megabytes).
    static func same(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        guard a.count == b.count else { return false }
        return a.withUnsafeBytes { x in b.withUnsafeBytes { y in x.count == 0 || memcmp(x.baseAddress!, y.baseAddress!, x.count) == 0 } }
    }

    /// `ws text "hello"`, `ws close 1002 or 1007`: what an expectation waits for.
    static func words(_ expected: ExpectedWebSocket) -> String {
        func data(_ d: WebSocketData?) -> String {
            switch d {
            case nil: ""
            case .fill(let n): " fill \(Bytes.size(n))"
            case .bytes(let b) where b.isEmpty: " (empty)"
            case .bytes(let b): " " + (Bytes.isText(b) ? Bytes.quoted(b, limit: 80) : "hex " + Bytes.hexWords(b, limit: 24))
            }
        }
        switch expected {
        case .message(let opcode, let d): return "ws \(WebSocketOpcode.name(opcode))\(data(d))"
        case .ping(let d): return "ws ping\(data(d))"
        case .pong(let d): return "ws pong\(data(d))"
        case .close(.any): return "ws close"
        case .close(.none): return "ws close with no code"
        case .close(.oneOf(let codes)): return "ws close " + codes.map(String.init).joined(separator: " or ")
        }
    }

    static func words(_ frame: WebSocketWire.Frame) -> String {
        WebSocketWire.describe(opcode: frame.opcode, payload: frame.payload, fin: frame.fin, rsv: frame.rsv) + (frame.masked ? " masked" : "")
    }

    // MARK: HTTP

    /// The most body bytes (`Content-Length`) an `http status` step consumes after the head.
    static let maximumHTTPBody = 65536

    func expectHTTP(label: String, record: StreamRecord, _ expected: ExpectedHTTPResponse, within: Duration?, at location: SourceLocation)
        async throws
    {
        let started = ContinuousClock.now
        let bound = within ?? stepTimeout
        let wanted = "an HTTP response with status \(expected.status)"
        var head: HTTPResponseHead?
        let note = try await poll(
            until: started + bound, at: location,
            {
                let end = record.status.end
                if head == nil {
                    let bytes = record.unmatchedPrefix(HTTPResponseHead.maximumSize + 1)
                    switch HTTPResponseHead.scan(bytes) {
                    case .incomplete:
                        guard let end else { return .wait }
                        return .fail("expected \(wanted) from \(label); got \(gotText(bytes)), then the connection ended: \(end.words)", [])
                    case .invalid(let why):
                        return .fail("expected \(wanted) from \(label); \(why)", [])
                    case .head(let h):
                        record.consume(h.size)
                        head = h
                        guard h.status == expected.status else {
                            return .fail("expected \(wanted) from \(label); got \(h.statusLine)", Self.headerLines(h))
                        }
                        for want in expected.headers {
                            let got = h.value(want.name)
                            guard got == want.value else {
                                let seen = got.map {
                                    "`\(want.name): " + String(Bytes.quoted(Array($0.utf8), limit: 60).dropFirst().dropLast()) + "`"
                                }
                                return .fail(
                                    "expected \(wanted) and the header `\(want.name): \(want.value)` from \(label); got \(seen ?? "no such header")",
                                    Self.headerLines(h))
                            }
                        }
                    }
                }
                guard let h = head else { return .wait }
                // The body, when its length is given and small, is consumed too.
                let length = h.value("Content-Length").flatMap { Int($0) } ?? 0
                let body = min(max(0, length), Self.maximumHTTPBody)
                if record.unmatchedCount < body, end == nil { return .wait }
                record.consume(body)
                return .pass("received HTTP \(h.statusLine)" + (body > 0 ? " and a body of \(Bytes.size(body))" : ""))
            },
            timeout: {
                if let h = head { return ("expected the body of HTTP \(h.statusLine) from \(label) within \(bound.scriptText)", []) }
                return ("expected \(wanted) from \(label) within \(bound.scriptText); got \(gotText(record.unmatchedPrefix(200)))", [])
            })
        if let note { transcript.add(label, note) }
    }

    static func headerLines(_ head: HTTPResponseHead) -> [String] {
        head.headers.prefix(12).map { "header: " + Bytes.quoted(Array("\($0.name): \($0.value)".utf8), limit: 100) }
    }
}
