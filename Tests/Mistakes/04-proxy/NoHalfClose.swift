// mistake: no-half-close
// fails: passes the client's half-close to the upstream
//
// Waits for both copies but never passes the end of stream on: the upstream never learns that
// the request is complete, so it never answers and never closes.
import LessonKit
import NetCore

enum NoHalfClose {
    static func main() -> Never {
        serveEachClient { client, address, log in
            defer { try? client.close() }
            let upstream = try await TCPConn.dial(address, timeout: .seconds(5))
            defer { try? upstream.close() }
            async let up: Void = { _ = try? await copy(from: client, to: upstream) }()
            _ = try? await copy(from: upstream, to: client)
            await up
            log.closed(client.remoteAddress)
        }
    }
}
