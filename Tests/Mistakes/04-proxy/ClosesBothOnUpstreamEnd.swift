// mistake: closes-both-on-upstream-end
// fails: passes the upstream's half-close to the client, who can still send
//
// Gets the client's half-close right, but not the upstream's: when upstream → client ends, it
// closes both conns at once. A server that answers first and then reads an upload (or just
// says goodbye before the client is done) has the rest of the client's bytes cut off.
import LessonKit
import NetCore

enum ClosesBothOnUpstreamEnd {
    static func main() -> Never {
        serveEachClient { client, address, log in
            defer { try? client.close() }
            let upstream = try await TCPConn.dial(address, timeout: .seconds(5))
            defer { try? upstream.close() }
            await withTaskGroup(of: Void.self) { group in
                group.addTask { await pipe(from: client, to: upstream) }
                _ = try? await copy(from: upstream, to: client)
                try? client.close()  // the mistake: an end is not the end of both
                try? upstream.close()
            }
            log.closed(client.remoteAddress)
        }
    }
}
