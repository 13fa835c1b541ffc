// mistake: close-on-first-end
// fails: passes the client's half-close to the upstream
//
// Closes both conns as soon as either copy ends: the client's half-close ends client → upstream
// first, and the upstream's reply, still on its way, is lost.
import LessonKit
import NetCore

enum CloseOnFirstEnd {
    static func main() -> Never {
        serveEachClient { client, address, log in
            let upstream = try await TCPConn.dial(address, timeout: .seconds(5))
            await withTaskGroup(of: Void.self) { group in
                group.addTask { _ = try? await copy(from: client, to: upstream) }
                group.addTask { _ = try? await copy(from: upstream, to: client) }
                await group.next()
                try? client.close()
                try? upstream.close()
            }
            log.closed(client.remoteAddress)
        }
    }
}
