// mistake: no-prefix
// fails: a TLS handshake reaches the upstream through the router
//
// Proxies the client conn itself after reading the ClientHello: the upstream never sees the
// hello, waits for one, and the handshake never completes.
import LessonKit
import NetCore

enum NoPrefix {
    static func main() -> Never {
        serveRoutes { client, hello, address, log in
            guard let upstream = try? await TCPConn.dial(address, timeout: .seconds(5)) else { return }
            defer { try? upstream.close() }
            await withTaskGroup(of: Void.self) { group in
                group.addTask { await pipe(from: client, to: upstream) }  // the hello is lost
                await pipe(from: upstream, to: client)
            }
            log.closed(client.remoteAddress)
        }
    }
}
