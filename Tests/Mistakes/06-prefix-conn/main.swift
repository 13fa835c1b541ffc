// Lesson 6's mistakes: each other file is the reference solution with one common mistake, chosen
// by the NETLAB_MISTAKE environment variable. The lesson tests grade each one against the check
// its `// fails:` line names. The parts every mistake shares (lesson 4's pipe, lesson 5's
// ClientHello reader) are below, as in the solution.
import Foundation
import LessonKit
import NetCore

switch ProcessInfo.processInfo.environment["NETLAB_MISTAKE"] {
case "no-prefix": NoPrefix.main()
case "default-route": DefaultRoute.main()
case "single-read": SingleRead.main()
case "close-on-first-end": CloseOnFirstEnd.main()
case "no-name-default": NoNameDefault.main()
case "quiet-dial-failure": QuietDialFailure.main()
case "dial-without-timeout": DialWithoutTimeout.main()
case "case-sensitive-routes": CaseSensitiveRoutes.main()
case "substring-routes": SubstringRoutes.main()
default:
    FileHandle.standardError.write(Data("set NETLAB_MISTAKE to no-prefix, default-route, single-read, close-on-first-end, no-name-default, quiet-dial-failure, dial-without-timeout, case-sensitive-routes or substring-routes\n".utf8))
    exit(2)
}

/// Where a hello goes: the upstream's address, or nil to close the client. Given the name the
/// client asked for (nil without SNI), the routes by lower-case name, and the first route.
typealias Router = @Sendable (_ serverName: String?, _ routes: [String: String], _ firstRoute: String?) -> String?

/// The solution's rule: a name that has a route goes there; anything else is closed. A
/// function, not a `let` closure: a top-level `let` in this file would be read before the
/// `switch` above ever reached it, and be null (the trap the lesson starters warn about).
@Sendable func routeExactly(_ name: String?, _ routes: [String: String], _ firstRoute: String?) -> String? {
    name.flatMap { routes[$0.lowercased()] }
}

/// The solution's router up to the dial: listen, sniff the hello, choose the upstream with
/// `route`, log the route. `proceed` gets the client, its hello and the upstream address, and
/// does the rest. The mistakes that share this differ in `route` or in `proceed`.
func serveRoutes(route: @escaping Router = routeExactly,
                 _ proceed: @escaping @Sendable (_ client: TCPConn, _ hello: [UInt8], _ address: String, _ log: Log) async -> Void) -> Never {
    LessonProgram.run(flags: [.route]) { options, log in
        let routes = routeTable(options)
        let firstRoute = options.routes.first?.address
        let listener = try TCPListener.listen(address: options.listen)
        log.ready(listener.address)
        try await serve(listener) { client in
            let peer = client.remoteAddress
            log.accepted(peer)
            guard let hello = await sniff(client, log: log) else { return }
            log.sni(hello.serverName)
            guard let address = route(hello.serverName, routes, firstRoute) else {
                log.event("closed \(peer): no route for \(hello.serverName ?? "a client without SNI")")
                return
            }
            log.event("route \(hello.serverName?.lowercased() ?? "none") -> \(address)")
            await proceed(client, hello.bytes, address, log)
        }
    }
}

/// The solution's rest of the way: dial with a timeout (logging a failure), proxy the client,
/// its hello replayed first, and log the end.
@Sendable func dialAndProxy(_ client: TCPConn, _ hello: [UInt8], _ address: String, _ log: Log) async {
    let upstream: TCPConn
    do {
        upstream = try await TCPConn.dial(address, timeout: .seconds(5))
    } catch {
        log.event("upstream \(address): \(Log.reason(error))")
        return
    }
    defer { try? upstream.close() }
    await proxy(PrefixConn(prefix: hello, base: client), upstream)
    log.closed(client.remoteAddress)
}

/// The routes from the flags, by lower-case name; the first route for a name wins.
func routeTable(_ options: Options) -> [String: String] {
    var routes: [String: String] = [:]
    for route in options.routes where routes[route.name.lowercased()] == nil {
        routes[route.name.lowercased()] = route.address
    }
    return routes
}

/// Reads the hello under a deadline, as the solution does; logs and returns nil on failure.
func sniff(_ client: TCPConn, log: Log) async -> (bytes: [UInt8], serverName: String?)? {
    do {
        try client.setReadDeadline(.after(.seconds(5)))
        let hello = try await readClientHello(from: client)
        try client.setReadDeadline(nil)
        return hello
    } catch {
        log.closed(client.remoteAddress, error: error)
        return nil
    }
}

/// Lesson 4's two copies at once, each passing its end of stream on.
func proxy(_ client: PrefixConn<TCPConn>, _ upstream: TCPConn) async {
    await withTaskGroup(of: Void.self) { group in
        group.addTask { await pipe(from: client, to: upstream) }
        await pipe(from: upstream, to: client)
    }
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
