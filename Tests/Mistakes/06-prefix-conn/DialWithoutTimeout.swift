// mistake: dial-without-timeout
// fails: gives up on an upstream that never answers
//
// Routes correctly and logs a failed dial, but dials with no timeout: an upstream that refuses
// fails at once, one that never answers holds the client until the kernel gives up on its
// SYNs, about two minutes.
import LessonKit
import NetCore

enum DialWithoutTimeout {
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
                let upstream: TCPConn
                do {
                    upstream = try await TCPConn.dial(address)
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
