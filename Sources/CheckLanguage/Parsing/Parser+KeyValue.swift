/// The key-value protocol's steps (docs/kv-protocol.md): `send NAME put … then get …` and
/// `expect NAME ok|not-ok|value V|reply …`.
extension ScriptParser {
    static let keyValueRequests = ["put", "get", "kv"]
    static let replyWords = ["ok", "not-ok", "value", "reply"]
    static let kvFieldWords = ["key", "value", "kind", "status", "field"]

    // MARK: Requests

    /// `REQUEST { "then" REQUEST }`, the cursor on the first request's word.
    func keyValueRequests(_ cursor: inout Cursor) throws(ScriptError) -> [KeyValueRequest] {
        var requests: [KeyValueRequest] = []
        repeat {
            requests.append(try keyValueRequest(&cursor))
        } while cursor.accept("then")
        return requests
    }

    /// `put KEY VALUE`, `get KEY`, `kv { FIELD }` or `kv body hex "…"`.
    func keyValueRequest(_ cursor: inout Cursor) throws(ScriptError) -> KeyValueRequest {
        guard let t = cursor.peek, t.kind == .word, Self.keyValueRequests.contains(t.text) else {
            let hint = cursor.peek.flatMap { $0.kind == .word ? Suggestion.didYouMean($0.text, in: Self.keyValueRequests) : nil } ?? ""
            throw cursor.unexpected("a request after `then`: `put KEY VALUE`, `get KEY` or `kv …`", hint: hint)
        }
        _ = cursor.next()
        switch t.text {
        case "put":
            let key = try kvString(&cursor, what: "a key after `put`, as in `put \"color\" \"blue\"`")
            let value = try kvString(&cursor, what: "a value after the key, as in `put \"color\" \"blue\"`")
            return .put(key: key, value: value)
        case "get":
            return .get(key: try kvString(&cursor, what: "a key after `get`, as in `get \"color\"`"))
        default:
            if cursor.accept("body") {
                try cursor.expectWord("hex", "after `kv body`, as in `kv body hex \"0a 01 61\"`")
                return .body(try hexString(&cursor))
            }
            var fields: [KeyValueField] = []
            while let w = cursor.peek, w.kind == .word, Self.kvFieldWords.contains(w.text) {
                _ = cursor.next()
                fields.append(try kvField(w.text, &cursor))
            }
            return .fields(fields)
        }
    }

    /// One field of `kv`, after its word.
    func kvField(_ word: String, _ cursor: inout Cursor) throws(ScriptError) -> KeyValueField {
        switch word {
        case "key": return .key(try kvString(&cursor, what: "a key after `key`, such as \"color\""))
        case "value": return .value(try kvString(&cursor, what: "a value after `value`, such as \"blue\""))
        case "kind": return .kind(try kvKind(&cursor))
        case "status": return .status(try kvStatus(&cursor))
        default:
            let number = try cursor.integer(
                after: "field", what: "a protobuf field number (1 to \(KeyValueField.maximumFieldNumber))", minimum: 1,
                maximum: KeyValueField.maximumFieldNumber)
            let types = ["varint", "fixed64", "bytes", "fixed32"]
            guard let t = cursor.peek, t.kind == .word, types.contains(t.text) else {
                let hint = cursor.peek.flatMap { $0.kind == .word ? Suggestion.didYouMean($0.text, in: types) : nil } ?? ""
                throw cursor.unexpected(
                    "a wire type after `field \(number)`: `varint N`, `fixed64 N`, `fixed32 N` or `bytes \"…\"` (groups: use `kv body hex`)",
                    hint: hint)
            }
            _ = cursor.next()
            switch t.text {
            case "varint":
                return .varint(number: number, try kvNumber(&cursor, after: "varint", maximum: UInt64.max))
            case "fixed64":
                return .fixed64(number: number, try kvNumber(&cursor, after: "fixed64", maximum: UInt64.max))
            case "fixed32":
                return .fixed32(number: number, UInt32(try kvNumber(&cursor, after: "fixed32", maximum: UInt64(UInt32.max))))
            default:
                if cursor.accept("hex") { return .bytes(number: number, try hexString(&cursor)) }
                return .bytes(number: number, try kvString(&cursor, what: "the field's bytes after `bytes`: a string or `hex \"…\"`"))
            }
        }
    }

    /// A string's bytes (empty allowed: an empty key is a key).
    func kvString(_ cursor: inout Cursor, what: String) throws(ScriptError) -> [UInt8] {
        let t = try cursor.string(what)
        return try StringLiteral.bytes(t.raw, column: t.column, line: cursor.line.number, file: file)
    }

    /// `put`, `get` or a number, after `kind`.
    func kvKind(_ cursor: inout Cursor) throws(ScriptError) -> UInt64 {
        if cursor.accept("put") { return ExpectedReply.put }
        if cursor.accept("get") { return ExpectedReply.get }
        guard cursor.peek?.kind == .number else {
            let hint = cursor.peek.flatMap { $0.kind == .word ? Suggestion.didYouMean($0.text, in: ["put", "get"]) : nil } ?? ""
            throw cursor.unexpected("`put`, `get` or a number after `kind`, such as `kind 7`", hint: hint)
        }
        return try kvNumber(&cursor, after: "kind", maximum: UInt64.max)
    }

    /// `ok`, `not-ok` or a number, after `status`.
    func kvStatus(_ cursor: inout Cursor) throws(ScriptError) -> UInt64 {
        if cursor.accept("ok") { return ExpectedReply.ok }
        if cursor.accept("not-ok") { return ExpectedReply.notOK }
        guard cursor.peek?.kind == .number else {
            let hint = cursor.peek.flatMap { $0.kind == .word ? Suggestion.didYouMean($0.text, in: ["ok", "not-ok"]) : nil } ?? ""
            throw cursor.unexpected("`ok`, `not-ok` or a number after `status`", hint: hint)
        }
        return try kvNumber(&cursor, after: "status", maximum: UInt64.max)
    }

    /// A whole number from 0 to `maximum` (up to 2^64 − 1).
    func kvNumber(_ cursor: inout Cursor, after keyword: String, maximum: UInt64) throws(ScriptError) -> UInt64 {
        let what = "a whole number from 0 to \(maximum)"
        guard let t = cursor.peek, t.kind == .number else { throw cursor.unexpected("\(what) after `\(keyword)`") }
        let location = cursor.location(of: t)
        guard t.text.allSatisfy(\.isASCIIDigitCharacter) else {
            throw ScriptError("`\(Token.abbreviate(t.text))` is not a whole number; expected \(what) after `\(keyword)`", at: location)
        }
        guard let value = UInt64(t.text), value <= maximum else {
            throw ScriptError("`\(Token.abbreviate(t.text))` is too large; expected \(what) after `\(keyword)`", at: location)
        }
        _ = cursor.next()
        return value
    }

    // MARK: Replies

    /// `ok|not-ok|value V|reply { key K | value V | kind N | status S } [within T]`, the cursor
    /// on the first word.
    func replyExpectation(_ cursor: inout Cursor) throws(ScriptError) -> StreamExpectation {
        guard let t = cursor.next() else { throw cursor.unexpected("`ok`, `not-ok`, `value` or `reply`") }
        var reply = ExpectedReply()
        var options = ["key", "value", "kind", "status", "within"]
        switch t.text {
        case "ok":
            reply.status = ExpectedReply.ok
            options.removeAll { $0 == "status" }
        case "not-ok":
            reply.status = ExpectedReply.notOK
            options.removeAll { $0 == "status" }
        case "value":
            reply.status = ExpectedReply.ok
            reply.value = try kvString(&cursor, what: "the value after `value`, as in `expect a value \"blue\"`")
            options.removeAll { $0 == "status" || $0 == "value" }
        default:
            break
        }
        var within: Duration?
        try optionLoop(&cursor, options) { (option, cursor) throws(ScriptError) in
            switch option {
            case "key": reply.key = try self.kvString(&cursor, what: "a key after `key`, such as \"color\"")
            case "value": reply.value = try self.kvString(&cursor, what: "a value after `value`, such as \"blue\"")
            case "kind": reply.kind = try self.kvKind(&cursor)
            case "status": reply.status = try self.kvStatus(&cursor)
            default: within = try cursor.duration(after: "within")
            }
        }
        return .reply(reply, within: within)
    }
}
