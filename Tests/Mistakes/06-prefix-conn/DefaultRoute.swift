// mistake: default-route
// fails: closes a client whose name has no route
//
// Sends a name that has no route to the first route instead of closing: a client can reach an
// upstream it never asked for (and that upstream's certificate may even fit, as here).
import LessonKit
import NetCore

enum DefaultRoute {
    static func main() -> Never {
        LessonProgram.run(flags: [.route]) { options, log in
            let routes = routeTable(options)
            let fallback = options.routes.first?.address
            let listener = try TCPListener.listen(address: options.listen)
            log.ready(listener.address)
            try await serve(listener) { client in
                let peer = client.remoteAddress
                log.accepted(peer)
                guard let hello = await sniff(client, log: log) else { return }
                log.sni(hello.serverName)
                let name = hello.serverName?.lowercased() ?? "none"
                guard let address = routes[name] ?? fallback else { return }   // "just in case"
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
