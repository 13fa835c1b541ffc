// Lesson 5's reference solution in replaceable parts: each mistake file swaps the one part it
// gets wrong and keeps the rest, so that a mistake is the solution plus exactly one change.
import LessonKit
import NetCore

/// Why a ClientHello was refused. Its description is the log's reason.
struct HelloError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

struct HelloServer: Sendable {
    /// Bounds the whole hello. The solution: one read deadline, set before the first read.
    var startDeadline: @Sendable (TCPConn, Duration) throws -> Void = { conn, timeout in
        try conn.setReadDeadline(.after(timeout))
    }
    /// Reads exactly `count` bytes (the `Duration` is the timeout, for a mistake that uses it).
    var readExactly: @Sendable (any Conn, Int, Duration) async throws -> [UInt8] = { conn, count, _ in
        try await conn.readExactly(count)
    }
    /// The largest ClientHello accepted, header included (nil: none). The protocol allows
    /// 16 MiB; real hellos are a few hundred bytes to a few KiB, and Go's crypto/tls stops at
    /// 64 KiB too.
    var maxHelloSize: Int? = 64 * 1024
    /// Reads the hello message (nil: the solution, records reassembled until it is complete).
    var readHello: (@Sendable (HelloServer, any Conn, Duration) async throws -> [UInt8])?
    /// Finds the server name in the message.
    var serverName: @Sendable ([UInt8]) throws -> String? = { try solutionServerName(inClientHello: $0) }
    /// Looks at a record's legacy version. The solution ignores it (RFC 8446 §5.1).
    var checkRecordVersion: @Sendable (UInt16) throws -> Void = { _ in }

    func run() -> Never {
        LessonProgram.run(flags: [.idleTimeout]) { options, log in
            let timeout = options.idleTimeout ?? .seconds(5)
            let listener = try TCPListener.listen(address: options.listen)
            log.ready(listener.address)
            try await serve(listener) { conn in await handle(conn, timeout: timeout, log: log) }
        }
    }

    /// Reads one ClientHello, logs its server name (or why there is none), and closes.
    func handle(_ conn: TCPConn, timeout: Duration, log: Log) async {
        defer { try? conn.close() }
        let peer = conn.remoteAddress
        log.accepted(peer)
        do {
            try startDeadline(conn, timeout)
            let hello =
                if let readHello {
                    try await readHello(self, conn, timeout)
                } else {
                    try await readClientHello(from: conn, timeout: timeout)
                }
            log.sni(try serverName(hello))
        } catch {
            log.error("\(peer): \(Log.reason(error))")
        }
    }

    /// Reads TLS records until their fragments hold one whole handshake message, and returns
    /// that message, its 4-byte header included. Any conn will do, as in the solution.
    func readClientHello(from conn: some Conn, timeout: Duration) async throws -> [UInt8] {
        var message: [UInt8] = []
        while true {
            message += try await readHandshakeRecord(from: conn, timeout: timeout)
            var header = ByteString(message)
            guard let type = header.readUInt8(), let length = header.readUInt24() else { continue }  // header not complete yet
            guard type == 1 else { throw HelloError("handshake message type \(type) is not a ClientHello (1)") }
            if let maxHelloSize, length > maxHelloSize - 4 {
                throw HelloError("a ClientHello of \(length) bytes is over the \(maxHelloSize)-byte limit")
            }
            if header.count >= Int(length) { return Array(message.prefix(4 + Int(length))) }
        }
    }

    /// Reads one record: a 5-byte header (type, legacy version, length), then exactly that many
    /// bytes. Returns the fragment, and refuses anything that is not a TLS handshake record.
    func readHandshakeRecord(from conn: some Conn, timeout: Duration) async throws -> [UInt8] {
        var header = ByteString(try await readExactly(conn, 5, timeout))
        guard let type = header.readUInt8(), let version = header.readUInt16(), let length = header.readUInt16() else {
            throw HelloError("short record header")
        }
        guard type == 22 else { throw HelloError("record type \(type) is not a handshake (22)") }
        try checkRecordVersion(version)
        guard length > 0, length <= 1 << 14 else { throw HelloError("record length \(length) is not between 1 and 16384") }
        return try await readExactly(conn, Int(length), timeout)
    }
}

/// The extensions block of a ClientHello message (nil: the hello has none, which is allowed).
/// Every length is checked against the field that holds it, and anything malformed throws.
func extensions(inClientHello message: [UInt8]) throws -> ByteString? {
    var message = ByteString(message)
    guard message.readUInt8() == 1, var hello = message.readUInt24LengthPrefixed(), message.isEmpty else {
        throw HelloError("malformed handshake header")
    }
    guard hello.skip(2 + 32) else { throw HelloError("the hello ends in its version or random") }
    guard let sessionID = hello.readUInt8LengthPrefixed(), sessionID.count <= 32 else {
        throw HelloError("malformed session id")
    }
    guard let suites = hello.readUInt16LengthPrefixed(), !suites.isEmpty, suites.count % 2 == 0 else {
        throw HelloError("malformed cipher suites")
    }
    guard let compression = hello.readUInt8LengthPrefixed(), !compression.isEmpty else {
        throw HelloError("malformed compression methods")
    }
    if hello.isEmpty { return nil }
    guard let extensions = hello.readUInt16LengthPrefixed(), hello.isEmpty else {
        throw HelloError("malformed extensions")
    }
    return extensions
}

/// The host name in a ClientHello's server_name extension, walking every extension; no
/// extension type may appear twice (RFC 8446 §4.2). `readHostName` reads the server_name's data.
func solutionServerName(
    inClientHello message: [UInt8],
    readHostName: (ByteString) throws -> String? = { try hostName(inServerNameExtension: $0) }
) throws -> String? {
    guard var extensions = try extensions(inClientHello: message) else { return nil }
    var name: String?
    var seen: Set<UInt16> = []
    while !extensions.isEmpty {
        guard let type = extensions.readUInt16(), let data = extensions.readUInt16LengthPrefixed() else {
            throw HelloError("malformed extension")
        }
        guard seen.insert(type).inserted else { throw HelloError("extension \(type) appears twice") }
        if type == 0 { name = try readHostName(data) }  // server_name
    }
    return name
}

/// RFC 6066 §3: a list with a 2-byte length, of entries that are a type byte (0 = host_name)
/// and a name with a 2-byte length, at most one of each type. `validName` reads a name's bytes:
/// the solution's wants printable ASCII with no trailing dot.
func hostName(
    inServerNameExtension data: ByteString,
    validName: ([UInt8]) throws -> String = { try validHostName($0) }
) throws -> String? {
    var data = data
    guard var list = data.readUInt16LengthPrefixed(), data.isEmpty else { throw HelloError("malformed server_name extension") }
    var host: String?
    while !list.isEmpty {
        guard let type = list.readUInt8(), let name = list.readUInt16LengthPrefixed() else {
            throw HelloError("malformed server_name entry")
        }
        guard type == 0 else { continue }
        guard host == nil else { throw HelloError("two host names in server_name") }
        host = try validName(name.bytes)
    }
    return host
}

/// An ASCII DNS name: printable, no NUL, no trailing dot.
func validHostName(_ bytes: [UInt8]) throws -> String {
    guard !bytes.isEmpty, bytes.allSatisfy({ (0x21...0x7e).contains($0) }) else {
        throw HelloError("server name is not a printable ASCII host name")
    }
    guard bytes.last != UInt8(ascii: ".") else { throw HelloError("server name ends with a dot") }
    return String(decoding: bytes, as: UTF8.self)
}
