// mistake: no-sniff
// fails: refuses a plaintext client at once and keeps serving
//
// Hands every connection straight to TLS. TLS waits for a whole 5-byte record header before it
// can say "this is not TLS", so a plaintext client that typed "hi" is held until the handshake
// deadline instead of being refused at once, and the log never says why.
import LessonKit
import NetCore
import NetTLS

enum NoSniff {
    static func main() -> Never {
        LessonProgram.run(flags: lessonFlags) { options, log in
            let tls = try serverConfig(options)
            let limit = options.duration("handshake-timeout") ?? .seconds(5)
            let listener = try TCPListener.listen(address: options.listen)
            log.ready(listener.address)
            try await serve(listener) { client in
                let peer = client.remoteAddress
                log.accepted(peer)
                let secure = TLSConn.server(wrapping: client, config: tls)
                do {
                    try client.setDeadline(.after(limit))
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
