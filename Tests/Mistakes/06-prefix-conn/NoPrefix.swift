// mistake: no-prefix
// fails: a TLS handshake reaches the upstream through the router
//
// Proxies the client conn itself after reading the ClientHello: the upstream never sees the
// hello, waits for one, and the handshake never completes.
import LessonKit
import NetCore

enum NoPrefix {
    static func main() -> Never {
        LessonProgram.run(flags: [.route]) { options, log in
            let routes = routeTable(options)
            let listener = try TCPListener.listen(address: options.listen)
            log.ready(listener.address)
            try await serve(listener) { client in
                let peer = client.remoteAddress
                log.accepted(peer)
                guard let hello = await sniff(client, log: log) else { return }
                log.sni(hello.serverName)
                guard let name = hello.serverName?.lowercased(), let address = routes[name] else {
                    log.event("closed \(peer): no route for \(hello.serverName ?? "a client without SNI")")
                    return
                }
                log.event("route \(name) -> \(address)")
                guard let upstream = try? await TCPConn.dial(address, timeout: .seconds(5)) else { return }
                defer { try? upstream.close() }
                await withTaskGroup(of: Void.self) { group in
                    group.addTask { await pipe(from: client, to: upstream) }   // the hello is lost
                    await pipe(from: upstream, to: client)
                }
                log.closed(peer)
            }
        }
    }
}
