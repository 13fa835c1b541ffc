// Lesson 6's mistakes: each other file is the reference solution with one common mistake, chosen
// by the NETLAB_MISTAKE environment variable. The lesson tests grade each one against the check
// its `// fails:` line names. The parts every mistake shares (lesson 4's pipe, lesson 5's
// ClientHello reader, pasted unchanged as in the solution) are below.
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
case "replays-message": ReplaysMessage.main()
default:
    FileHandle.standardError.write(
        Data(
            "set NETLAB_MISTAKE to no-prefix, default-route, single-read, close-on-first-end, no-name-default, quiet-dial-failure, dial-without-timeout, case-sensitive-routes, substring-routes or replays-message\n"
                .utf8))
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

/// A sniffed ClientHello: every byte read to get it (what the tee recorded, record headers
/// included), the handshake message that lesson 5's reader returned, and the name in it.
struct Hello: Sendable {
    var recorded: [UInt8]
    var message: [UInt8]
    var serverName: String?
}

/// The solution's router up to the dial: listen, sniff the hello, choose the upstream with
/// `route`, log the route. `proceed` gets the client, its hello and the upstream address, and
/// does the rest. The mistakes that share this differ in `route` or in `proceed`.
func serveRoutes(
    route: @escaping Router = routeExactly,
    _ proceed: @escaping @Sendable (_ client: TCPConn, _ hello: Hello, _ address: String, _ log: Log) async -> Void
) -> Never {
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
            await proceed(client, hello, address, log)
        }
    }
}

/// The solution's rest of the way: dial with a timeout (logging a failure), proxy the client,
/// every byte of its hello replayed first, and log the end.
@Sendable func dialAndProxy(_ client: TCPConn, _ hello: Hello, _ address: String, _ log: Log) async {
    let upstream: TCPConn
    do {
        upstream = try await TCPConn.dial(address, timeout: .seconds(5))
    } catch {
        log.event("upstream \(address): \(Log.reason(error))")
        return
    }
    defer { try? upstream.close() }
    await proxy(PrefixConn(prefix: hello.recorded, base: client), upstream)
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

/// Reads the hello through a tee under a deadline, as the solution does; logs and returns nil
/// on failure.
func sniff(_ client: TCPConn, log: Log) async -> Hello? {
    let tee = TeeConn(base: client)
    do {
        try client.setReadDeadline(.after(.seconds(5)))
        let message = try await readClientHello(from: tee)
        let name = try serverName(inClientHello: message)
        try client.setReadDeadline(nil)
        return Hello(recorded: tee.recorded, message: message, serverName: name)
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
