import CheckLanguage
import CheckResults

/// `send NAME put … then get … then kv …`: the frames' bytes, and how a transcript shows them.
extension CheckExecution {
    /// The frames back to back, and `put "color" = "blue" (frame of 23 bytes)` or
    /// `put "a" = "1", get "a" (2 frames, 36 bytes)`.
    func keyValueBytes(_ requests: [KeyValueRequest]) -> ([UInt8], String) {
        var bytes: [UInt8] = []
        for request in requests { bytes += KeyValueWire.frame(KeyValueWire.body(request)) }
        let shown = requests.prefix(8).map(KeyValueText.request).joined(separator: ", ") + (requests.count > 8 ? ", …" : "")
        let size = requests.count == 1 ? "frame of \(bytes.count) bytes" : "\(requests.count) frames, \(bytes.count) bytes"
        return (bytes, "\(shown) (\(size))")
    }
}

/// Key-value requests and replies in words, for transcripts and failures.
enum KeyValueText {
    static func quoted(_ bytes: [UInt8]) -> String { Bytes.quoted(bytes, limit: 80) }

    /// `put "color" = "blue"`, `get "color"`, `kv key "x" kind 7 field 9 varint 1`.
    static func request(_ request: KeyValueRequest) -> String {
        switch request {
        case .put(let key, let value): "put \(quoted(key)) = \(quoted(value))"
        case .get(let key): "get \(quoted(key))"
        case .fields(let fields): (["kv"] + fields.map(field)).joined(separator: " ")
        case .body(let bytes): "kv body hex \(Bytes.hexWords(bytes, limit: 32))"
        }
    }

    static func field(_ field: KeyValueField) -> String {
        switch field {
        case .key(let b): "key \(quoted(b))"
        case .value(let b): "value \(quoted(b))"
        case .kind(let n): "kind \(kind(n))"
        case .status(let n): "status \(status(n))"
        case .varint(let number, let n): "field \(number) varint \(n)"
        case .fixed64(let number, let n): "field \(number) fixed64 \(n)"
        case .bytes(let number, let b): "field \(number) bytes \(Bytes.isText(b) ? quoted(b) : "hex " + Bytes.hexWords(b, limit: 32))"
        case .fixed32(let number, let n): "field \(number) fixed32 \(n)"
        }
    }

    /// `put`, `get`, or the number.
    static func kind(_ n: UInt64) -> String {
        switch n {
        case ExpectedReply.put: "put"
        case ExpectedReply.get: "get"
        default: "\(n)"
        }
    }

    /// `ok`, `not-ok`, or `status N`'s number.
    static func status(_ n: UInt64) -> String {
        switch n {
        case ExpectedReply.ok: "ok"
        case ExpectedReply.notOK: "not-ok"
        default: "\(n)"
        }
    }

    /// `ok with value "blue"`, `not-ok with key "color"`, `a reply with kind 7`: what an
    /// expectation waits for.
    static func wanted(_ reply: ExpectedReply) -> String {
        var head = "a reply"
        if let s = reply.status { head = s <= ExpectedReply.notOK ? status(s) : "a reply with status \(s)" }
        var parts: [String] = []
        if let key = reply.key { parts.append("key \(quoted(key))") }
        if let value = reply.value { parts.append("value \(quoted(value))") }
        if let k = reply.kind { parts.append("kind \(kind(k))") }
        guard !parts.isEmpty else { return head }
        return head + (head.contains(" with ") ? ", " : " with ") + parts.joined(separator: ", ")
    }

    /// `not-ok for key "color" (kind get)`, `ok for key "color": value "blue" (kind get)`: what
    /// arrived, decoded.
    static func summary(_ m: KeyValueWire.Message) -> String {
        let head = m.status <= ExpectedReply.notOK ? status(m.status) : "status \(m.status)"
        var out = "\(head) for key \(quoted(m.key))"
        if !m.value.isEmpty { out += ": value \(quoted(m.value))" }
        out += " (kind \(kind(m.kind))"
        if m.unknownFields > 0 { out += ", \(m.unknownFields) unknown field\(m.unknownFields == 1 ? "" : "s") skipped" }
        return out + ")"
    }

    /// Whether the message holds every field the expectation gives.
    static func matches(_ m: KeyValueWire.Message, _ reply: ExpectedReply) -> Bool {
        (reply.key.map { $0 == m.key } ?? true) && (reply.value.map { $0 == m.value } ?? true)
            && (reply.kind.map { $0 == m.kind } ?? true) && (reply.status.map { $0 == m.status } ?? true)
    }
}
