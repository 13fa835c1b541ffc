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
    FileHandle.standardError.write(Data("set NETLAB_MISTAKE to no-deadline, no-sniff, handshake-in-accept-loop, tls12-max, no-replay or deadline-never-cleared\n".utf8))
    exit(2)
}

/// The solution's configuration from the flags.
func serverConfig(_ options: Options, maxVersion: TLSVersion? = nil) throws -> TLSServerConfig {
    try TLSServerConfig(certificateFile: options.cert ?? ".netlab/certs/localhost.pem",
                        keyFile: options.key ?? ".netlab/certs/localhost-key.pem", maxVersion: maxVersion)
}

/// The solution's sniff and handshake, under one deadline; nil (logged) when it fails.
func sniffAndHandshake(_ client: TCPConn, tls: TLSServerConfig, limit: Duration, log: Log) async -> TLSConn? {
    let peer = client.remoteAddress
    do {
        try client.setDeadline(.after(limit))
        let first = try await client.readExactly(1)
        guard first[0] == 22 else {
            log.event("closed \(peer): not TLS")
            return nil
        }
        let secure = TLSConn.server(wrapping: PrefixConn(prefix: first, base: client), config: tls)
        try await secure.handshake()
        try client.setDeadline(nil)
        log.event("tls \(peer): \(secure.negotiatedVersion ?? "?"), sni \(secure.serverName ?? "none")")
        return secure
    } catch {
        log.closed(peer, error: error)
        return nil
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
