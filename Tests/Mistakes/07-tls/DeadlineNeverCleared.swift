// mistake: deadline-never-cleared
// fails: a session outlives the handshake deadline
//
// Bounds the sniff and the handshake with a deadline, as it should, but never clears it: every
// session is cut off the handshake limit after the client arrived, however busy it is.
import LessonKit
import NetCore
import NetTLS

enum DeadlineNeverCleared {
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
                    secure = TLSConn.server(wrapping: PrefixConn(prefix: first, base: client), config: tls)
                    try await secure.handshake()
                    // (the deadline stays set)
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
