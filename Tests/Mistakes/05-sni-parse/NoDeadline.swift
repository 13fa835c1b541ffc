// mistake: no-deadline
// fails: closes a client that stops mid-record at the deadline
//
// Reads the hello without a read deadline: a client that sends half a record and stops holds its
// connection (and a descriptor) for as long as it likes.
import LessonKit
import NetCore

enum NoDeadline {
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
            // The mistake: no read deadline, so a client that stops sending is waited for forever.
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

    /// The host name in a ClientHello's server_name extension, or nil when it has none. Every
    /// length is checked against the field that holds it, and anything malformed throws.
    static func serverName(inClientHello message: [UInt8]) throws -> String? {
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
        if hello.isEmpty { return nil }   // no extensions at all: allowed, and so no server name
        guard var extensions = hello.readUInt16LengthPrefixed(), hello.isEmpty else {
            throw HelloError("malformed extensions")
        }
        var name: String?
        while !extensions.isEmpty {
            guard let type = extensions.readUInt16(), let data = extensions.readUInt16LengthPrefixed() else {
                throw HelloError("malformed extension")
            }
            if type == 0 { name = try hostName(inServerNameExtension: data) }   // server_name
        }
        return name
    }

    /// RFC 6066 §3: a list with a 2-byte length, of entries that are a type byte (0 = host_name)
    /// and a name with a 2-byte length. The name is printable ASCII, as DNS names are, with no
    /// trailing dot: it goes into the log.
    static func hostName(inServerNameExtension data: ByteString) throws -> String? {
        var data = data
        guard var list = data.readUInt16LengthPrefixed(), data.isEmpty else { throw HelloError("malformed server_name extension") }
        var host: String?
        while !list.isEmpty {
            guard let type = list.readUInt8(), let name = list.readUInt16LengthPrefixed() else {
                throw HelloError("malformed server_name entry")
            }
            guard type == 0 else { continue }
            guard !name.isEmpty, name.bytes.allSatisfy({ (0x21...0x7e).contains($0) }), name.bytes.last != UInt8(ascii: ".") else {
                throw HelloError("server name is not a host name")
            }
            host = String(decoding: name.bytes, as: UTF8.self)
        }
        return host
    }
}
