// mistake: no-deadline
// fails: closes a client that never finishes its handshake
//
// Sniffs and handshakes without a deadline: a client that sends half a record, or nothing,
// holds its task and its descriptor for as long as it likes.
import LessonKit
import NetCore
import NetTLS

enum NoDeadline {
    static func main() -> Never {
        LessonProgram.run(flags: lessonFlags) { options, log in
            let tls = try serverConfig(options)
            let listener = try TCPListener.listen(address: options.listen)
            log.ready(listener.address)
            try await serve(listener) { client in
                let peer = client.remoteAddress
                log.accepted(peer)
                let secure: TLSConn
                do {
                    let first = try await client.readExactly(1)      // no deadline: may wait forever
                    guard first[0] == 22 else {
                        log.event("closed \(peer): not TLS")
                        return
                    }
                    secure = TLSConn.server(wrapping: PrefixConn(prefix: first, base: client), config: tls)
                    try await secure.handshake()
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
