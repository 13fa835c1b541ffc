// mistake: no-replay
// fails: completes a handshake that the client verifies
//
// Sniffs the first byte and then hands TLS the client conn itself, not a PrefixConn: TLS reads
// a ClientHello whose first byte is missing, and every handshake fails.
import LessonKit
import NetCore
import NetTLS

enum NoReplay {
    static func main() -> Never {
        LessonProgram.run(flags: lessonFlags) { options, log in
            let tls = try serverConfig(options)
            let limit = options.duration("handshake-timeout") ?? .seconds(5)
            let listener = try TCPListener.listen(address: options.listen)
            log.ready(listener.address)
            try await serve(listener) { client in
                let peer = client.remoteAddress
                log.accepted(peer)
                let secure: TLSConn
                do {
                    try client.setDeadline(.after(limit))
                    let first = try await client.readExactly(1)
                    guard first[0] == 22 else {
                        log.event("closed \(peer): not TLS")
                        return
                    }
                    secure = TLSConn.server(wrapping: client, config: tls)   // the 0x16 is gone
                    try await secure.handshake()
                    try client.setDeadline(nil)
                } catch {
                    log.closed(peer, error: error)
                    return
                }
                log.event("tls \(peer): \(secure.negotiatedVersion ?? "?"), sni \(secure.serverName ?? "none")")
                await proxy(secure, to: options.upstream!, log: log)
            }
        }
    }
}
