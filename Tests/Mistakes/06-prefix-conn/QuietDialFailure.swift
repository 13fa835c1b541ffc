// mistake: quiet-dial-failure
// fails: logs an upstream it cannot reach
//
// Routes correctly, but when the upstream cannot be dialled it just returns: the client is
// dropped and the log never says which address failed, or why.
import LessonKit
import NetCore

enum QuietDialFailure {
    static func main() -> Never {
        serveRoutes { client, hello, address, log in
            guard let upstream = try? await TCPConn.dial(address, timeout: .seconds(5)) else { return }
            defer { try? upstream.close() }
            await proxy(PrefixConn(prefix: hello.recorded, base: client), upstream)
            log.closed(client.remoteAddress)
        }
    }
}
