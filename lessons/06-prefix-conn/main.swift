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
    let hello: (bytes: [UInt8], serverName: String?)
    do {
        try client.setReadDeadline(.after(.seconds(5)))    // a client that never says hello
        hello = try await readClientHello(from: client)
        try client.setReadDeadline(nil)
    } catch {
        log.closed(peer, error: error)
        return
    }
    log.sni(hello.serverName)

    // TODO: look the name up in `routes`. No route: log "closed ADDRESS: no route for NAME" and
    // return. Otherwise log "route NAME -> ADDRESS", dial the address (on failure log
    // "upstream ADDRESS: REASON"), and proxy both ways as in lesson 4, with one difference: the
    // upstream must receive the ClientHello bytes you already read, so copy from a
    // PrefixConn(prefix: hello.bytes, base: client) instead of from `client`. When both copies
    // are done, close both conns and log "closed ADDRESS".
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

// MARK: - Lesson 5: reading the ClientHello

/// Why a connection was not a ClientHello we could read.
enum HelloError: Error, CustomStringConvertible {
    case notTLS(UInt8)
    case notClientHello
    case tooLarge(Int)
    case malformed

    var description: String {
        switch self {
        case .notTLS(let type): "not a TLS handshake (first record type \(type))"
        case .notClientHello: "the first handshake message is not a ClientHello"
        case .tooLarge(let size): "ClientHello of \(size) bytes is too large"
        case .malformed: "malformed ClientHello"
        }
    }
}

/// Reads the TLS records that carry the client's first handshake message, which must be a
/// ClientHello, and finds the server name in it (nil when the client sent no SNI). Returns
/// every byte it read, so that the caller can replay them. The hello may be split over several
/// records and arrive in any number of pieces. Bounded by the conn's read deadline: set one first.
/// `maxSize` caps the hello: real ones are a few hundred bytes (a few KiB with post-quantum key
/// shares), and a cap keeps a hostile client from making us buffer without end. 64 KiB, as in
/// lesson 5 and in Go's crypto/tls.
func readClientHello(from conn: some Conn, maxSize: Int = 64 * 1024) async throws -> (bytes: [UInt8], serverName: String?) {
    var read: [UInt8] = []          // everything, record headers included: what we must replay
    var message: [UInt8] = []       // the handshake message, reassembled from the record bodies
    while true {
        let header = try await conn.readExactly(5)
        var fields = ByteString(header)
        guard let type = fields.readUInt8(), let major = fields.readUInt8(), fields.skip(1),
              let length = fields.readUInt16() else { throw HelloError.malformed }
        guard type == 22, major == 3 else { throw HelloError.notTLS(type) }
        guard length > 0, message.count + Int(length) <= maxSize + 4 else {
            throw length == 0 ? HelloError.malformed : HelloError.tooLarge(message.count + Int(length))
        }
        let body = try await conn.readExactly(Int(length))
        read += header + body
        message += body

        var handshake = ByteString(message)
        guard let kind = handshake.readUInt8(), let size = handshake.readUInt24() else { continue }
        guard kind == 1 else { throw HelloError.notClientHello }
        guard size <= maxSize else { throw HelloError.tooLarge(Int(size)) }
        guard let hello = handshake.read(Int(size)) else { continue }   // more records to come
        return (read, try serverName(in: hello))
    }
}

/// The host name of the server_name extension (RFC 6066 §3) in a ClientHello's body.
func serverName(in body: ByteString) throws -> String? {
    var hello = body
    guard hello.skip(2 + 32),                          // legacy_version, random
          hello.readUInt8LengthPrefixed() != nil,      // legacy_session_id
          hello.readUInt16LengthPrefixed() != nil,     // cipher_suites
          hello.readUInt8LengthPrefixed() != nil       // legacy_compression_methods
    else { throw HelloError.malformed }
    if hello.isEmpty { return nil }                    // an old client: no extensions at all
    guard var extensions = hello.readUInt16LengthPrefixed() else { throw HelloError.malformed }
    while !extensions.isEmpty {
        guard let type = extensions.readUInt16(), var data = extensions.readUInt16LengthPrefixed() else {
            throw HelloError.malformed
        }
        guard type == 0 else { continue }              // 0: server_name
        guard var names = data.readUInt16LengthPrefixed() else { throw HelloError.malformed }
        while !names.isEmpty {
            guard let nameType = names.readUInt8(), let name = names.readUInt16LengthPrefixed() else {
                throw HelloError.malformed
            }
            guard nameType == 0 else { continue }      // 0: host_name
            guard !name.isEmpty, name.bytes.allSatisfy({ (0x21...0x7e).contains($0) }) else {
                throw HelloError.malformed
            }
            return String(decoding: name.bytes, as: UTF8.self)
        }
        return nil
    }
    return nil
}
