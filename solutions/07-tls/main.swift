// Lesson 7 — reference solution: terminate TLS on a prefix conn and proxy the plaintext.
import LessonKit
import NetCore
import NetTLS

let handshakeTimeout = Flag("handshake-timeout", .duration, help: "close a client whose TLS handshake takes longer (default 5s)")

LessonProgram.run(flags: [.upstream, .cert, .key, handshakeTimeout]) { options, log in
    let upstream = options.upstream!
    let tls = try TLSServerConfig(
        certificateFile: options.cert ?? ".netlab/certs/localhost.pem",
        keyFile: options.key ?? ".netlab/certs/localhost-key.pem")
    let limit = options.duration("handshake-timeout") ?? .seconds(5)
    let listener = try TCPListener.listen(address: options.listen)
    log.ready(listener.address)
    try await serve(listener) { client in
        await terminate(client, tls: tls, limit: limit, upstream: upstream, log: log)
    }
}

/// Sniffs the first byte, completes the TLS handshake within `limit`, then proxies the
/// decrypted stream to `address` until both directions are done.
func terminate(_ client: TCPConn, tls: TLSServerConfig, limit: Duration, upstream address: String, log: Log) async {
    defer { try? client.close() }
    let peer = client.remoteAddress
    log.accepted(peer)
    let secure: TLSConn
    do {
        try client.setDeadline(.after(limit))  // one deadline for the sniff and the handshake
        let first = try await client.readExactly(1)
        guard first[0] == 22 else {  // every TLS connection starts with a handshake record
            log.event("closed \(peer): not TLS")
            return
        }
        secure = TLSConn.server(wrapping: PrefixConn(prefix: first, base: client), config: tls)
        try await secure.handshake()
        try client.setDeadline(nil)
    } catch {
        log.closed(peer, error: error)
        return
    }
    log.event("tls \(peer): \(secure.negotiatedVersion ?? "?"), sni \(secure.serverName ?? "none")")

    let upstream: TCPConn
    do {
        upstream = try await TCPConn.dial(address, timeout: .seconds(5))
    } catch {
        log.event("upstream \(address): \(Log.reason(error))")
        return
    }
    defer { try? upstream.close() }
    await withTaskGroup(of: Void.self) { group in
        group.addTask { await pipe(from: secure, to: upstream) }
        await pipe(from: upstream, to: secure)
    }
    try? await secure.closeGracefully(timeout: .seconds(1))  // close_notify out, then the socket
    log.closed(peer)
}

/// One direction (lesson 4): copy, then pass the end of stream on with a half-close (on a
/// TLSConn, that is a close_notify). On an error, close both ends so that the other direction
/// stops waiting too.
func pipe(from source: some HalfClosable, to destination: some HalfClosable) async {
    do {
        try await copy(from: source, to: destination)
        try? destination.closeWrite()
    } catch {
        try? source.close()
        try? destination.close()
    }
}
