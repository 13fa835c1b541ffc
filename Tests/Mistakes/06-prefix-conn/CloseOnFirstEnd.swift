// mistake: close-on-first-end
// fails: keeps the reply flowing after the client half-closes
//
// Closes both conns as soon as either copy ends. When the client half-closes after its last
// request, the upstream's reply, still on its way, is cut off.
import LessonKit
import NetCore

enum CloseOnFirstEnd {
    static func main() -> Never {
        serveRoutes { client, hello, address, log in
            guard let upstream = try? await TCPConn.dial(address, timeout: .seconds(5)) else { return }
            let replayed = PrefixConn(prefix: hello.recorded, base: client)
            await withTaskGroup(of: Void.self) { group in
                group.addTask {
                    _ = try? await copy(from: replayed, to: upstream)
                    try? replayed.close()  // either end finishing ends everything
                    try? upstream.close()
                }
                _ = try? await copy(from: upstream, to: replayed)
                try? replayed.close()
                try? upstream.close()
            }
            log.closed(client.remoteAddress)
        }
    }
}
