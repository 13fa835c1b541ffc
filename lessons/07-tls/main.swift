// Lesson 7 — TLS: terminate and proxy. Read it with `netlab lesson 7`; check with `netlab check 7`.
// Top-level code below `LessonProgram.run { … }` never runs (run never returns): put constants
// inside the closure or in a type (`enum Limits { static let … }`); functions and types are fine.
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
    // TODO: this is lesson 4's proxy, so a TLS client ends up talking to the upstream, which
    // does not speak TLS. Terminate TLS here first, all under one deadline of `limit`:
    //   1. read the first byte; if it is not 22 (a TLS handshake record), log
    //      "closed ADDRESS: not TLS" and return;
    //   2. wrap the client in a PrefixConn that replays that byte, and that in
    //      TLSConn.server(wrapping:config:) with `tls`; run handshake() (on failure, log
    //      "closed ADDRESS: REASON" and return), then clear the deadline;
    //   3. log "tls ADDRESS: VERSION, sni NAME" (negotiatedVersion, serverName);
    //   4. proxy the TLSConn, not `client`, and close it with closeGracefully() at the end.

    let upstream: TCPConn
    do {
        upstream = try await TCPConn.dial(address, timeout: .seconds(5))
    } catch {
        log.event("upstream \(address): \(Log.reason(error))")
        return
    }
    defer { try? upstream.close() }
    await withTaskGroup(of: Void.self) { group in
        group.addTask { await pipe(from: client, to: upstream) }
        await pipe(from: upstream, to: client)
    }
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
