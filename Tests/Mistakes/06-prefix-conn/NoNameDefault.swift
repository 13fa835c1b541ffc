// mistake: no-name-default
// fails: closes a client that sends no name
//
// Closes a client whose name has no route, as it should, but sends a client that sent no name
// at all to the first route, "so that old clients still work": it connects someone to a site
// they never asked for.
import LessonKit
import NetCore

enum NoNameDefault {
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
                let address: String
                if let name = hello.serverName?.lowercased() {
                    guard let routed = routes[name] else {
                        log.event("closed \(peer): no route for \(name)")
                        return
                    }
                    address = routed
                } else {
                    guard let fallback else { return }
                    address = fallback
                }
                log.event("route \(hello.serverName ?? "(none)") -> \(address)")
                let upstream: TCPConn
                do {
                    upstream = try await TCPConn.dial(address, timeout: .seconds(5))
                } catch {
                    log.event("upstream \(address): \(Log.reason(error))")
                    return
                }
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
