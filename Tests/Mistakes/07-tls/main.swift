// Lesson 7's mistakes: each other file is the reference solution with one common mistake, chosen
// by the NETLAB_MISTAKE environment variable. The lesson tests grade each one against the check
// its `// fails:` line names. What every mistake shares with the solution is below.
import Foundation
import LessonKit
import NetCore
import NetTLS

let handshakeTimeout = Flag("handshake-timeout", .duration, help: "close a client whose TLS handshake takes longer (default 5s)")
let lessonFlags: [Flag] = [.upstream, .cert, .key, handshakeTimeout]

switch ProcessInfo.processInfo.environment["NETLAB_MISTAKE"] {
case "no-deadline": NoDeadline.main()
case "no-sniff": NoSniff.main()
case "handshake-in-accept-loop": HandshakeInAcceptLoop.main()
case "tls12-max": TLS12Max.main()
case "no-replay": NoReplay.main()
case "deadline-never-cleared": DeadlineNeverCleared.main()
default:
    FileHandle.standardError.write(
        Data("set NETLAB_MISTAKE to no-deadline, no-sniff, handshake-in-accept-loop, tls12-max, no-replay or deadline-never-cleared\n".utf8))
    exit(2)
}

/// The solution's configuration from the flags.
func serverConfig(_ options: Options, maxVersion: TLSVersion? = nil) throws -> TLSServerConfig {
    try TLSServerConfig(
        certificateFile: options.cert ?? ".netlab/certs/localhost.pem",
        keyFile: options.key ?? ".netlab/certs/localhost-key.pem", maxVersion: maxVersion)
}

/// Where a mistake departs from the solution's sniff and handshake (all true: the solution).
struct Sniff {
    /// Bound the sniff and the handshake with the handshake deadline.
    var deadline = true
    /// Clear that deadline once the handshake is done.
    var clearDeadline = true
    /// Hand TLS a `PrefixConn` that replays the sniffed byte, not the client itself.
    var replay = true
}

/// The solution's sniff and handshake, under one deadline; nil (logged) when it fails.
func sniffAndHandshake(_ client: TCPConn, tls: TLSServerConfig, limit: Duration, log: Log, _ how: Sniff = Sniff()) async -> TLSConn? {
    let peer = client.remoteAddress
    do {
        if how.deadline { try client.setDeadline(.after(limit)) }
        let first = try await client.readExactly(1)
        guard first[0] == 22 else {
            log.event("closed \(peer): not TLS")
            return nil
        }
        let secure =
            how.replay
            ? TLSConn.server(wrapping: PrefixConn(prefix: first, base: client), config: tls)
            : TLSConn.server(wrapping: client, config: tls)
        try await secure.handshake()
        if how.deadline && how.clearDeadline { try client.setDeadline(nil) }
        log.event("tls \(peer): \(secure.negotiatedVersion ?? "?"), sni \(secure.serverName ?? "none")")
        return secure
    } catch {
        log.closed(peer, error: error)
        return nil
    }
}

/// The solution whole, but for `maxVersion` and `how`: listen, and for every client a task that
/// sniffs, handshakes and proxies.
func serveTerminating(maxVersion: TLSVersion? = nil, _ how: Sniff = Sniff()) -> Never {
    LessonProgram.run(flags: lessonFlags) { options, log in
        let tls = try serverConfig(options, maxVersion: maxVersion)
        let limit = options.duration("handshake-timeout") ?? .seconds(5)
        let listener = try TCPListener.listen(address: options.listen)
        log.ready(listener.address)
        try await serve(listener) { client in
            log.accepted(client.remoteAddress)
            guard let secure = await sniffAndHandshake(client, tls: tls, limit: limit, log: log, how) else { return }
            await proxy(secure, to: options.upstream!, log: log)
        }
    }
}

/// The solution's second half: dial, proxy both ways, close.
func proxy(_ secure: TLSConn, to address: String, log: Log) async {
    let peer = secure.remoteAddress
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
    try? await secure.closeGracefully(timeout: .seconds(1))
    log.closed(peer)
}

func pipe(from source: some HalfClosable, to destination: some HalfClosable) async {
    do {
        try await copy(from: source, to: destination)
        try? destination.closeWrite()
    } catch {
        try? source.close()
        try? destination.close()
    }
}
