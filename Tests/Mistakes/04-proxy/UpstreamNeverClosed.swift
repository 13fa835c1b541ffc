// mistake: upstream-never-closed
// fails: sockets return to baseline after 100 proxied connections
//
// Closes the client when both copies are done but forgets the upstream conn: every proxied
// connection leaves one descriptor behind.
import LessonKit
import NetCore
import Synchronization

/// Keeps the forgotten upstream conns alive (as a long-lived reference in a real program would).
let forgotten = Mutex<[TCPConn]>([])

enum UpstreamNeverClosed {
    static func main() -> Never {
        serveEachClient { client, address, log in
            defer { try? client.close() }
            let upstream = try await TCPConn.dial(address, timeout: .seconds(5))
            forgotten.withLock { $0.append(upstream) }
            async let up: Void = {
                _ = try? await copy(from: client, to: upstream)
                try? upstream.closeWrite()
            }()
            _ = try? await copy(from: upstream, to: client)
            try? client.closeWrite()
            await up
            log.closed(client.remoteAddress)
        }
    }
}
