// Lesson 5 — SNI parse. Read it with `netlab lesson 5`; check with `netlab check 5`.
// Top-level code below `LessonProgram.run { … }` never runs (run never returns): put constants
// inside the closure or in a type (`enum Limits { static let … }`); functions and types are fine.
import LessonKit
import NetCore

LessonProgram.run(flags: [.idleTimeout]) { options, log in
    let timeout = options.idleTimeout ?? .seconds(5)
    let listener = try TCPListener.listen(address: options.listen)
    log.ready(listener.address)
    try await serve(listener) { conn in
        await handle(conn, timeout: timeout, log: log)
    }
}

/// Reads one ClientHello from `conn`, logs its server name (or why there is none), and closes.
/// Never throws.
func handle(_ conn: TCPConn, timeout: Duration, log: Log) async {
    defer { try? conn.close() }
    let peer = conn.remoteAddress
    log.accepted(peer)
    do {
        // One deadline for the whole hello, set once: the client gets `timeout` to send all of
        // it, however finely it slices it.
        try conn.setReadDeadline(.after(timeout))
        let hello = try await readClientHello(from: conn)
        log.sni(try serverName(inClientHello: hello))  // "sni example.test" or "sni none"
    } catch {
        log.error("\(peer): \(Log.reason(error))")  // "error: 127.0.0.1:53211: REASON"
    }
}

/// Why a ClientHello was refused. Its description is the log's reason.
struct HelloError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// Reads TLS records until their fragments hold one whole handshake message, and returns that
/// message, its 4-byte header included. Any conn will do: lesson 6 reads through a `TeeConn`.
func readClientHello(from conn: some Conn) async throws -> [UInt8] {
    // TODO: loop: read a record header (5 bytes: type 22, a legacy version that you ignore, length
    // 1…16384) and exactly `length` bytes after it, refusing anything else; append the fragment to a
    // buffer. Once the buffer holds the 4-byte handshake header (type 1, then a 24-bit length),
    // refuse a type that is not 1 and a length over your cap (64 KiB), and return the message
    // as soon as all of it is there. Throw HelloError("…") with a clear reason on bad input.
    throw HelloError("readClientHello is not written yet")
}

/// The host name in a ClientHello's server_name extension, or nil when it has none. Throws
/// HelloError on anything malformed.
func serverName(inClientHello message: [UInt8]) throws -> String? {
    // TODO: with ByteString, never with indices: the handshake header (type 1, 24-bit length),
    // legacy_version (2), random (32), session id (1-byte length, at most 32), cipher suites
    // (2-byte length, even, not empty), compression methods (1-byte length, not empty), then
    // the extensions (2-byte length). Walk every extension (type, 2-byte-length data), refusing a
    // type seen before; in server_name (type 0), walk the list (2-byte length) for an entry of
    // type 0 (host_name, 2-byte length), refusing a second one. Return the name if every byte is
    // printable ASCII (0x21…0x7e: no NUL) and it does not end with a dot; else throw.
    throw HelloError("serverName is not written yet")
}
