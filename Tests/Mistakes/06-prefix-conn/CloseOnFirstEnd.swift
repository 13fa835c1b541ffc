// mistake: close-on-first-end
// fails: keeps the reply flowing after the client half-closes
//
// Closes both conns as soon as either copy ends. When the client half-closes after its last
// request, the upstream's reply, still on its way, is cut off.
import LessonKit
import NetCore

enum CloseOnFirstEnd {
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
                let replayed = PrefixConn(prefix: hello.bytes, base: client)
                await withTaskGroup(of: Void.self) { group in
                    group.addTask {
                        _ = try? await copy(from: replayed, to: upstream)
                        try? replayed.close()            // either end finishing ends everything
                        try? upstream.close()
                    }
                    _ = try? await copy(from: upstream, to: replayed)
                    try? replayed.close()
                    try? upstream.close()
                }
                log.closed(peer)
            }
        }
    }
}
