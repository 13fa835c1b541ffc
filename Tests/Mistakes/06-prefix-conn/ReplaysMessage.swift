// mistake: replays-message
// fails: a TLS handshake reaches the upstream through the router
//
// Replays the handshake message that lesson 5's reader returned instead of every byte the tee
// recorded: the record headers are gone, so the upstream reads the hello's first bytes as a
// record header, finds no handshake record there, and gives up.
import LessonKit
import NetCore

enum ReplaysMessage {
    static func main() -> Never {
        serveRoutes { client, hello, address, log in
            let upstream: TCPConn
            do {
                upstream = try await TCPConn.dial(address, timeout: .seconds(5))
            } catch {
                log.event("upstream \(address): \(Log.reason(error))")
                return
            }
            defer { try? upstream.close() }
            // The mistake: what was parsed, not what was read.
            await proxy(PrefixConn(prefix: hello.message, base: client), upstream)
            log.closed(client.remoteAddress)
        }
    }
}
