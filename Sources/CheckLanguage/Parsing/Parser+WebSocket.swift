/// The WebSocket and HTTP steps (Syntax/WebSocket.swift): `send NAME ws …`,
/// `expect NAME ws …` and `expect NAME http status N …`.
extension ScriptParser {
    static let webSocketItems = ["text", "binary", "continuation", "ping", "pong", "close", "opcode"]
    static let webSocketFrameOptions = ["fin", "rsv", "mask", "length-form", "declared-length"]
    static let webSocketExpectations = ["text", "binary", "ping", "pong", "close"]

    // MARK: Frames to send

    /// `ITEM { "then" [ "ws" ] ITEM }`, the cursor after `ws`.
    func webSocketFrames(_ cursor: inout Cursor) throws(ScriptError) -> [WebSocketFrame] {
        var frames: [WebSocketFrame] = []
        repeat {
            if !frames.isEmpty { _ = cursor.accept("ws") }
            frames.append(try webSocketFrame(&cursor))
        } while cursor.accept("then")
        return frames
    }

    /// `text DATA`, `binary DATA`, `continuation DATA`, `ping [DATA]`, `pong [DATA]`,
    /// `close [CODE [REASON] | DATA]`, `opcode N [DATA]`, then the frame's options.
    func webSocketFrame(_ cursor: inout Cursor) throws(ScriptError) -> WebSocketFrame {
        let what = "a WebSocket frame: `text DATA`, `binary DATA`, `continuation DATA`, `ping`, `pong`, `close [CODE [REASON]]` or `opcode N`"
        guard let t = cursor.peek, t.kind == .word, Self.webSocketItems.contains(t.text) else {
            let hint = cursor.peek.flatMap { $0.kind == .word ? Suggestion.didYouMean($0.text, in: Self.webSocketItems) : nil } ?? ""
            throw cursor.unexpected(what, hint: hint)
        }
        _ = cursor.next()
        var frame: WebSocketFrame
        switch t.text {
        case "text", "binary", "continuation":
            let opcode: UInt8 =
                t.text == "text" ? WebSocketOpcode.text : t.text == "binary" ? WebSocketOpcode.binary : WebSocketOpcode.continuation
            let data = try webSocketData(&cursor, after: t.text, optional: true) ?? .bytes([])
            frame = WebSocketFrame(opcode: opcode, payload: data)
        case "ping", "pong":
            let data = try webSocketData(&cursor, after: t.text, optional: true) ?? .bytes([])
            frame = WebSocketFrame(opcode: t.text == "ping" ? WebSocketOpcode.ping : WebSocketOpcode.pong, payload: data)
        case "close":
            var payload: WebSocketData = .bytes([])
            if cursor.peek?.kind == .number {
                let code = try cursor.integer(after: "close", what: "a close code from 0 to 65535", minimum: 0, maximum: 65535)
                var reason: [UInt8] = []
                if let r = cursor.peek, r.kind == .string {
                    reason = try kvString(&cursor, what: "a reason after the close code")
                }
                payload = .bytes(WebSocketFrame.closePayload(code: UInt16(code), reason: reason))
            } else if let data = try webSocketData(&cursor, after: "close", optional: true) {
                payload = data
            }
            frame = WebSocketFrame(opcode: WebSocketOpcode.close, payload: payload)
        default:
            let opcode = try cursor.integer(after: "opcode", what: "an opcode from 0 to 15", minimum: 0, maximum: 15)
            let data = try webSocketData(&cursor, after: "opcode \(opcode)", optional: true) ?? .bytes([])
            frame = WebSocketFrame(opcode: UInt8(opcode), payload: data)
        }
        var seen: Set<String> = []
        while let o = cursor.peek, o.kind == .word, Self.webSocketFrameOptions.contains(o.text) {
            guard seen.insert(o.text).inserted else {
                throw ScriptError("`\(o.text)` given twice for this frame", at: cursor.location(of: o))
            }
            _ = cursor.next()
            switch o.text {
            case "fin":
                frame.fin = try cursor.integer(after: "fin", what: "0 or 1", minimum: 0, maximum: 1) == 1
            case "rsv":
                frame.rsv = UInt8(try cursor.integer(after: "rsv", what: "the RSV bits as a number from 0 to 7 (RSV1 is 4)", minimum: 0, maximum: 7))
            case "mask":
                if cursor.accept("no") {
                    frame.mask = .none
                } else if cursor.accept("hex") {
                    let location = cursor.here
                    let key = try hexString(&cursor)
                    guard key.count == 4 else {
                        throw ScriptError("a masking key is 4 bytes; found \(key.count)", at: location)
                    }
                    frame.mask = .key(key)
                } else {
                    throw cursor.unexpected("`no` or `hex \"…\"` (4 bytes) after `mask`")
                }
            case "length-form":
                let location = cursor.here
                let form = try cursor.integer(after: "length-form", what: "7, 16 or 64", minimum: 7, maximum: 64)
                guard [7, 16, 64].contains(form) else { throw ScriptError("`\(form)` is not a length form; expected 7, 16 or 64", at: location) }
                frame.lengthForm = form
            default:
                guard let n = cursor.peek, n.kind == .number, n.text.allSatisfy(\.isASCIIDigitCharacter), let value = UInt64(n.text) else {
                    throw cursor.unexpected("a whole number from 0 to \(UInt64.max) after `declared-length`")
                }
                _ = cursor.next()
                frame.declaredLength = value
            }
        }
        if let form = frame.lengthForm {
            let length = frame.declaredLength ?? UInt64(frame.payload.count)
            let fits = form == 64 || (form == 16 && length <= 65535) || (form == 7 && length <= 125)
            if !fits {
                throw ScriptError("a length of \(length) does not fit `length-form \(form)`; expected a wider form", at: cursor.location(of: t))
            }
        }
        return frame
    }

    /// `"text"`, `hex "…"` or `fill SIZE`; nil when `optional` and none follows.
    func webSocketData(_ cursor: inout Cursor, after keyword: String, optional: Bool) throws(ScriptError) -> WebSocketData? {
        guard let t = cursor.peek else {
            if optional { return nil }
            throw cursor.unexpected("a payload after `\(keyword)`: a string, `hex \"…\"` or `fill SIZE`")
        }
        switch t.kind {
        case .string:
            return .bytes(try kvString(&cursor, what: "a payload"))
        case .word where t.text == "hex":
            _ = cursor.next()
            return .bytes(try hexString(&cursor))
        case .word where t.text == "fill":
            _ = cursor.next()
            return .fill(try cursor.size(after: "fill", maximum: WebSocketData.maximumFill))
        default:
            if optional { return nil }
            throw cursor.unexpected("a payload after `\(keyword)`: a string, `hex \"…\"` or `fill SIZE`")
        }
    }

    // MARK: Expectations

    /// `ws text DATA|binary DATA|ping [DATA]|pong [DATA]|close [CODE {or CODE} | none] [within T]`,
    /// the cursor after `ws`.
    func webSocketExpectation(_ cursor: inout Cursor) throws(ScriptError) -> StreamExpectation {
        guard let t = cursor.peek, t.kind == .word, Self.webSocketExpectations.contains(t.text) else {
            let hint = cursor.peek.flatMap { $0.kind == .word ? Suggestion.didYouMean($0.text, in: Self.webSocketExpectations) : nil } ?? ""
            throw cursor.unexpected("a frame after `ws`: `text DATA`, `binary DATA`, `ping`, `pong` or `close [CODE]`", hint: hint)
        }
        _ = cursor.next()
        let expected: ExpectedWebSocket
        switch t.text {
        case "text", "binary":
            let data = try webSocketData(&cursor, after: t.text, optional: false) ?? .bytes([])
            expected = .message(opcode: t.text == "text" ? WebSocketOpcode.text : WebSocketOpcode.binary, data)
        case "ping":
            expected = .ping(try webSocketData(&cursor, after: "ping", optional: true))
        case "pong":
            expected = .pong(try webSocketData(&cursor, after: "pong", optional: true))
        default:
            if cursor.accept("none") {
                expected = .close(.none)
            } else if cursor.peek?.kind == .number {
                var codes: [UInt16] = []
                repeat {
                    codes.append(UInt16(try cursor.integer(after: "close", what: "a close code from 0 to 65535", minimum: 0, maximum: 65535)))
                } while cursor.accept("or")
                expected = .close(.oneOf(codes))
            } else {
                expected = .close(.any)
            }
        }
        var within: Duration?
        try optionLoop(&cursor, ["within"]) { (_, cursor) throws(ScriptError) in
            within = try cursor.duration(after: "within")
        }
        return .webSocket(expected, within: within)
    }

    /// `http status N { header NAME VALUE } [within T]`, the cursor after `http`.
    func httpExpectation(_ cursor: inout Cursor) throws(ScriptError) -> StreamExpectation {
        try cursor.expectWord("status", "after `http`, as in `expect a http status 404`")
        let status = try cursor.integer(after: "status", what: "an HTTP status from 100 to 999", minimum: 100, maximum: 999)
        var response = ExpectedHTTPResponse(status: status)
        var within: Duration?
        while let o = cursor.peek, o.kind == .word, o.text == "header" || o.text == "within" {
            _ = cursor.next()
            if o.text == "within" {
                if within != nil { throw ScriptError("`within` given twice in this line", at: cursor.location(of: o)) }
                within = try cursor.duration(after: "within")
                continue
            }
            let name = try cursor.text("a header name after `header`, such as \"Sec-WebSocket-Version\"")
            let value = try cursor.text("the header's value after its name, such as \"13\"", allowEmpty: true)
            response.headers.append(.init(name: name, value: value))
        }
        try cursor.expectEnd(["header", "within"])
        return .http(response, within: within)
    }
}
