// mistake: errors-as-eof
// fails: a client that resets ends both connections
//
// Treats a failed copy like a finished one: it half-closes the other side and waits. When the
// client resets, the upstream is only half-closed, and a silent upstream keeps the other copy
// (and both conns) waiting for ever.
import LessonKit
import NetCore

enum ErrorsAsEOF {
    static func main() -> Never {
        serveEachClient { client, address, log in
            defer { try? client.close() }
            let upstream = try await TCPConn.dial(address, timeout: .seconds(5))
            defer { try? upstream.close() }
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
