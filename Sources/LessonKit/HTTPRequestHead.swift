import NetCore

/// An HTTP/1.1 request's head: the request line and the header fields, up to the blank line.
/// Enough for a server that upgrades to another protocol (WebSocket) or answers one simple
/// `GET`, without a whole HTTP library. Go's counterpart is what `http.ReadRequest` reads before
/// the body.
///
/// ```swift
/// try conn.setReadDeadline(.after(.seconds(5)))
/// let (head, rest) = try await HTTPRequestHead.read(from: conn, maxBytes: 8 * 1024)
/// head.method          // "GET"
/// head.target          // "/chat"
/// head.header("upgrade")   // "websocket" (names are case-insensitive)
/// ```
public struct HTTPRequestHead: Sendable, Equatable {
    /// `GET`, `POST`, … as sent (methods are case-sensitive).
    public var method: String
    /// The request target: `/chat`, `/metrics?x=1`.
    public var target: String
    /// `HTTP/1.1`
    public var version: String
    /// Every header field in order, names as sent, values without surrounding spaces or tabs.
    public var fields: [(name: String, value: String)]

    public init(method: String, target: String, version: String, fields: [(name: String, value: String)]) {
        self.method = method
        self.target = target
        self.version = version
        self.fields = fields
    }

    public static func == (a: HTTPRequestHead, b: HTTPRequestHead) -> Bool {
        a.method == b.method && a.target == b.target && a.version == b.version
            && a.fields.map(\.name) == b.fields.map(\.name) && a.fields.map(\.value) == b.fields.map(\.value)
    }

    /// The value of header `name` (any case); a field sent more than once gives its values
    /// joined with `, `, as HTTP says they mean. Nil when absent.
    public func header(_ name: String) -> String? {
        let values = fields.filter { $0.name.lowercased() == name.lowercased() }.map(\.value)
        return values.isEmpty ? nil : values.joined(separator: ", ")
    }

    /// The comma-separated tokens of header `name`, trimmed and lower-cased: `Connection:
    /// keep-alive, Upgrade` gives `["keep-alive", "upgrade"]`.
    public func tokens(_ name: String) -> [String] {
        (header(name) ?? "").split(separator: ",").map { $0.trimmingSpaces().lowercased() }.filter { !$0.isEmpty }
    }

    /// Reads a request head from `conn`: bytes up to and including the first empty line
    /// (`\r\n\r\n`), at most `maxBytes` of them. Returns the head and the bytes that came after it
    /// in the same reads (the start of what follows: a body, or another protocol's first bytes).
    ///
    /// Throws `HTTPHeadError.tooLarge` when `maxBytes` pass without the empty line (answer 431),
    /// `.malformed` when the head is not a request head (answer 400), `.endOfStream` when the
    /// client closed first, and the conn's own errors (a deadline: `NetError` `.deadlineExceeded`).
    /// Set a read deadline first: a client may send one byte a minute.
    public static func read(from conn: some Conn, maxBytes: Int) async throws -> (HTTPRequestHead, [UInt8]) {
        var buffer: [UInt8] = []
        var searchFrom = 0
        while true {
            let chunk = try await conn.read(upToCount: 4096)
            if chunk.isEmpty { throw HTTPHeadError.endOfStream(received: buffer.count) }
            buffer += chunk
            if let end = endOfHead(buffer, from: searchFrom), end <= maxBytes {
                let head = try parse(buffer[..<(end - 4)])
                return (head, Array(buffer[end...]))
            }
            if buffer.count >= maxBytes { throw HTTPHeadError.tooLarge(limit: maxBytes) }
            searchFrom = max(0, buffer.count - 3)
        }
    }

    /// The index just past the first `\r\n\r\n` at or after `start`, if any.
    static func endOfHead(_ bytes: [UInt8], from start: Int) -> Int? {
        var i = start
        while i + 3 < bytes.count {
            if bytes[i] == 13, bytes[i + 1] == 10, bytes[i + 2] == 13, bytes[i + 3] == 10 { return i + 4 }
            i += 1
        }
        return nil
    }

    /// Parses the head's lines (without the final empty line).
    public static func parse(_ bytes: ArraySlice<UInt8>) throws(HTTPHeadError) -> HTTPRequestHead {
        guard let text = String(validating: bytes, as: UTF8.self) else { throw .malformed("the head is not UTF-8 text") }
        var lines = text.split(separator: "\r\n", omittingEmptySubsequences: false).map(String.init)
        let requestLine = lines.removeFirst()
        let parts = requestLine.split(separator: " ", omittingEmptySubsequences: false)
        guard parts.count == 3, !parts[0].isEmpty, !parts[1].isEmpty, parts[2].hasPrefix("HTTP/") else {
            throw .malformed("the request line is not METHOD TARGET HTTP/VERSION")
        }
        var fields: [(name: String, value: String)] = []
        for line in lines {
            guard let colon = line.firstIndex(of: ":") else { throw .malformed("a header line has no colon") }
            let name = String(line[..<colon])
            guard !name.isEmpty, name.unicodeScalars.allSatisfy(isTokenCharacter) else {
                throw .malformed("a header name is empty or holds spaces or controls")
            }
            let value = line[line.index(after: colon)...].trimmingSpaces()
            guard !value.unicodeScalars.contains(where: { $0.value < 0x20 && $0 != "\t" || $0.value == 0x7f }) else {
                throw .malformed("header \(name) holds a control character")
            }
            fields.append((name, value))
        }
        return HTTPRequestHead(method: String(parts[0]), target: String(parts[1]), version: String(parts[2]), fields: fields)
    }

    /// RFC 9110's `tchar`: the characters a header name may hold.
    static func isTokenCharacter(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar {
        case "a"..."z", "A"..."Z", "0"..."9": true
        default: "!#$%&'*+-.^_`|~".unicodeScalars.contains(scalar)
        }
    }
}

/// Why a request head could not be read.
public enum HTTPHeadError: Error, Sendable, Equatable, CustomStringConvertible {
    /// No empty line within the first `limit` bytes: answer `431 Request Header Fields Too Large`.
    case tooLarge(limit: Int)
    /// Not an HTTP request head: answer `400 Bad Request`.
    case malformed(String)
    /// The client closed its side before the head was complete.
    case endOfStream(received: Int)

    public var description: String {
        switch self {
        case .tooLarge(let limit): "request head over \(limit) bytes"
        case .malformed(let why): "malformed request head: \(why)"
        case .endOfStream(let received): "the client closed after \(received) bytes of the request head"
        }
    }
}

extension StringProtocol {
    /// The text without spaces and tabs at either end.
    func trimmingSpaces() -> String {
        let scalars = unicodeScalars
        guard let first = scalars.firstIndex(where: { $0 != " " && $0 != "\t" }),
            let last = scalars.lastIndex(where: { $0 != " " && $0 != "\t" })
        else { return "" }
        var out = ""
        out.unicodeScalars.append(contentsOf: scalars[first...last])
        return out
    }
}
