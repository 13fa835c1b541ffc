// mistake: quiet-dial-failure
// fails: logs an upstream it cannot reach
//
// Routes correctly, but when the upstream cannot be dialled it just returns: the client is
// dropped and the log never says which address failed, or why.
import LessonKit
import NetCore

enum QuietDialFailure {
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
                let replayed = PrefixConn(prefix: hello.bytes, base: client)
                await withTaskGroup(of: Void.self) { group in
                    group.addTask { await pipe(from: replayed, to: upstream) }
                    await pipe(from: upstream, to: replayed)
                }
                log.closed(peer)
            }
        }
    }
}
