// mistake: trusts-lengths
// fails: rejects lengths that overflow their container
//
// Parses the hello by indexing the array and believes every length field. The first length that
// points past the end traps, and the whole server dies with it.
import LessonKit
import NetCore

enum TrustsLengths {
    static func main() -> Never {
        LessonProgram.run(flags: [.idleTimeout]) { options, log in
            let timeout = options.idleTimeout ?? .seconds(5)
            let listener = try TCPListener.listen(address: options.listen)
            log.ready(listener.address)
            try await serve(listener) { conn in
                await handle(conn, timeout: timeout, log: log)
            }
        }
    }

    /// Reads one ClientHello from `conn`, logs its server name (or why there is none), and closes.
    /// Never throws.
    static func handle(_ conn: TCPConn, timeout: Duration, log: Log) async {
        defer { try? conn.close() }
        let peer = conn.remoteAddress
        log.accepted(peer)
        do {
            // One deadline for the whole hello, set once: the client gets `timeout` to send all of
            // it, however finely it slices it.
            try conn.setReadDeadline(.after(timeout))
            let hello = try await readClientHello(from: conn)
            log.sni(try serverName(inClientHello: hello))
        } catch {
            log.error("\(peer): \(Log.reason(error))")
        }
    }

    /// Why a ClientHello was refused. Its description is the log's reason.
    struct HelloError: Error, CustomStringConvertible {
        var description: String
        init(_ description: String) { self.description = description }
    }

    /// Reads TLS records until their fragments hold one whole handshake message, and returns that
    /// message, its 4-byte header included.
    static func readClientHello(from conn: TCPConn) async throws -> [UInt8] {
        // The largest ClientHello accepted, header included. The protocol allows 16 MiB; real
        // hellos are a few hundred bytes to a few KiB, and Go's crypto/tls stops at 64 KiB too.
        let maxHelloSize = 64 * 1024
        var message: [UInt8] = []
        while true {
            message += try await readHandshakeRecord(from: conn)
            var header = ByteString(message)
            guard let type = header.readUInt8(), let length = header.readUInt24() else { continue }   // header not complete yet
            guard type == 1 else { throw HelloError("handshake message type \(type) is not a ClientHello (1)") }
            guard length <= maxHelloSize - 4 else {
                throw HelloError("a ClientHello of \(length) bytes is over the \(maxHelloSize)-byte limit")
            }
            if header.count >= Int(length) { return Array(message.prefix(4 + Int(length))) }
        }
    }

    /// Reads one record: a 5-byte header (type, legacy version, length), then exactly that many
    /// bytes. Returns the fragment, and refuses anything that is not a TLS handshake record.
    static func readHandshakeRecord(from conn: TCPConn) async throws -> [UInt8] {
        var header = ByteString(try await conn.readExactly(5))
        guard let type = header.readUInt8(), let version = header.readUInt16(), let length = header.readUInt16() else {
            throw HelloError("short record header")   // cannot happen: readExactly returned 5 bytes
        }
        guard type == 22 else { throw HelloError("record type \(type) is not a handshake (22)") }
        guard (0x0301...0x0303).contains(version) else {
            throw HelloError("record version \(version >> 8).\(version & 0xff) is not TLS (3.1 to 3.3)")
        }
        guard length > 0, length <= 1 << 14 else { throw HelloError("record length \(length) is not between 1 and 16384") }
        return try await conn.readExactly(Int(length))
    }

    /// The mistake: the hello is parsed with indices into the array, trusting every length field.
    /// A length that reaches past the end traps (and ends the whole server); one that reaches
    /// past its parent reads the bytes of the next field.
    static func serverName(inClientHello message: [UInt8]) throws -> String? {
        var i = 4 + 2 + 32                                       // handshake header, version, random
        i += 1 + Int(message[i])                                 // session id
        i += 2 + (Int(message[i]) << 8 | Int(message[i + 1]))   // cipher suites
        i += 1 + Int(message[i])                                 // compression methods
        if i == message.count { return nil }
        let end = i + 2 + (Int(message[i]) << 8 | Int(message[i + 1]))
        i += 2
        while i < end {
            let type = Int(message[i]) << 8 | Int(message[i + 1])
            let length = Int(message[i + 2]) << 8 | Int(message[i + 3])
            if type == 0 {
                let nameLength = Int(message[i + 7]) << 8 | Int(message[i + 8])
                return String(decoding: message[(i + 9)..<(i + 9 + nameLength)], as: UTF8.self)
            }
            i += 4 + length
        }
        return nil
    }
}
