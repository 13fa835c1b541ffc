// Lesson 6 — Prefix conn: an SNI router. Read it with `netlab lesson 6`; check with `netlab check 6`.
// Top-level code below `LessonProgram.run { … }` never runs (run never returns): put constants
// inside the closure or in a type (`enum Limits { static let … }`); functions and types are fine.
import LessonKit
import NetCore

LessonProgram.run(flags: [.route]) { options, log in
    var routes: [String: String] = [:]
    for route in options.routes where routes[route.name.lowercased()] == nil {
        routes[route.name.lowercased()] = route.address
    }
    let listener = try TCPListener.listen(address: options.listen)
    log.ready(listener.address)
    try await serve(listener) { [routes] client in
        await route(client, routes: routes, log: log)
    }
}

/// Reads the client's ClientHello, picks the upstream for its server name, and proxies the
/// whole connection there, ClientHello included.
func route(_ client: TCPConn, routes: [String: String], log: Log) async {
    defer { try? client.close() }
    let peer = client.remoteAddress
    log.accepted(peer)
    let sni: String?
    do {
        try client.setReadDeadline(.after(.seconds(5)))  // a client that never says hello
        // TODO: the upstream will need every byte this reads. Read through a tee instead: make
        // `let tee = TeeConn(base: client)` above the `do`, and read the hello from `tee`; every
        // byte it reads is kept in `tee.recorded`.
        sni = try serverName(inClientHello: try await readClientHello(from: client))
        try client.setReadDeadline(nil)
    } catch {
        log.closed(peer, error: error)
        return
    }
    log.sni(sni)

    // TODO: look the name up in `routes`. No route: log "closed ADDRESS: no route for NAME" and
    // return. Otherwise log "route NAME -> ADDRESS", dial the address (on failure log
    // "upstream ADDRESS: REASON"), and proxy both ways as in lesson 4, with one difference: the
    // upstream must receive the ClientHello bytes you already read, record headers and all, so
    // copy from a PrefixConn(prefix: tee.recorded, base: client) instead of from `client`. When
    // both copies are done, close both conns and log "closed ADDRESS".
}

/// One direction (lesson 4): copy, then pass the end of stream on with a half-close. On an
/// error, close both ends so that the other direction stops waiting too.
func pipe(from source: some HalfClosable, to destination: some HalfClosable) async {
    do {
        try await copy(from: source, to: destination)
        try? destination.closeWrite()
    } catch {
        try? source.close()
        try? destination.close()
    }
}

// MARK: - Lesson 5: reading the ClientHello, as lesson 5's solution wrote it

/// Why a ClientHello was refused. Its description is the log's reason.
struct HelloError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// Reads TLS records until their fragments hold one whole handshake message, and returns that
/// message, its 4-byte header included. Any conn will do: lesson 6 reads through a `TeeConn`.
func readClientHello(from conn: some Conn) async throws -> [UInt8] {
    // The largest ClientHello accepted, header included. The protocol allows 16 MiB; real
    // hellos are a few hundred bytes to a few KiB, and Go's crypto/tls stops at 64 KiB too.
    let maxHelloSize = 64 * 1024
    var message: [UInt8] = []
    while true {
        message += try await readHandshakeRecord(from: conn)
        var header = ByteString(message)
        guard let type = header.readUInt8(), let length = header.readUInt24() else { continue }  // header not complete yet
        guard type == 1 else { throw HelloError("handshake message type \(type) is not a ClientHello (1)") }
        guard length <= maxHelloSize - 4 else {
            throw HelloError("a ClientHello of \(length) bytes is over the \(maxHelloSize)-byte limit")
        }
        if header.count >= Int(length) { return Array(message.prefix(4 + Int(length))) }
    }
}

/// Reads one record: a 5-byte header (type, legacy version, length), then exactly that many
/// bytes. Returns the fragment, and refuses anything that is not a TLS handshake record.
func readHandshakeRecord(from conn: some Conn) async throws -> [UInt8] {
    var header = ByteString(try await conn.readExactly(5))
    // The version in between is legacy_record_version, which RFC 8446 §5.1 says MUST be
    // ignored: clients send 03 01, 03 03 or 03 00, and any of them is fine.
    guard let type = header.readUInt8(), header.skip(2), let length = header.readUInt16() else {
        throw HelloError("short record header")  // cannot happen: readExactly returned 5 bytes
    }
    guard type == 22 else { throw HelloError("record type \(type) is not a handshake (22)") }
    guard length > 0, length <= 1 << 14 else { throw HelloError("record length \(length) is not between 1 and 16384") }
    return try await conn.readExactly(Int(length))
}

/// The host name in a ClientHello's server_name extension, or nil when it has none. Every
/// length is checked against the field that holds it, and anything malformed throws.
func serverName(inClientHello message: [UInt8]) throws -> String? {
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
    if hello.isEmpty { return nil }  // no extensions at all: allowed, and so no server name
    guard var extensions = hello.readUInt16LengthPrefixed(), hello.isEmpty else {
        throw HelloError("malformed extensions")
    }
    var name: String?
    var seen: Set<UInt16> = []
    while !extensions.isEmpty {
        guard let type = extensions.readUInt16(), let data = extensions.readUInt16LengthPrefixed() else {
            throw HelloError("malformed extension")
        }
        // RFC 8446 §4.2: at most one extension of each type. Two server_names could steer a
        // router that reads one of them past a server that reads the other.
        guard seen.insert(type).inserted else { throw HelloError("extension \(type) appears twice") }
        if type == 0 { name = try hostName(inServerNameExtension: data) }  // server_name
    }
    return name
}

/// RFC 6066 §3: a list with a 2-byte length, of entries that are a type byte (0 = host_name)
/// and a name with a 2-byte length, at most one of each type. The name is an ASCII DNS name:
/// printable, no NUL, no trailing dot. It goes into the log.
func hostName(inServerNameExtension data: ByteString) throws -> String? {
    var data = data
    guard var list = data.readUInt16LengthPrefixed(), data.isEmpty else { throw HelloError("malformed server_name extension") }
    var host: String?
    while !list.isEmpty {
        guard let type = list.readUInt8(), let name = list.readUInt16LengthPrefixed() else {
            throw HelloError("malformed server_name entry")
        }
        guard type == 0 else { continue }
        guard host == nil else { throw HelloError("two host names in server_name") }
        guard !name.isEmpty, name.bytes.allSatisfy({ (0x21...0x7e).contains($0) }) else {
            throw HelloError("server name is not a printable ASCII host name")
        }
        guard name.bytes.last != UInt8(ascii: ".") else { throw HelloError("server name ends with a dot") }
        host = String(decoding: name.bytes, as: UTF8.self)
    }
    return host
}
