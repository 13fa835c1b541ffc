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
        serveRoutes { client, hello, address, log in
            let upstream: TCPConn
            do {
                upstream = try await TCPConn.dial(address)
            } catch {
                log.event("upstream \(address): \(Log.reason(error))")
                return
            }
            defer { try? upstream.close() }
            await proxy(PrefixConn(prefix: hello.recorded, base: client), upstream)
            log.closed(client.remoteAddress)
        }
    }
}
