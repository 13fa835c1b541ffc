// mistake: dial-without-timeout
// fails: gives up on an upstream that never answers
//
// Dials with no timeout. Against an upstream that refuses, the dial fails at once and all is
// well; against one that never answers, the dial waits for the kernel to give up on its SYNs,
// about two minutes, and so does the client.
import LessonKit
import NetCore

enum DialWithoutTimeout {
    static func main() -> Never {
        serveEachClient { client, address, log in
            defer { try? client.close() }
            let upstream: TCPConn
            do {
                upstream = try await TCPConn.dial(address)
            } catch {
                log.event("upstream \(address): \(Log.reason(error))")
                return
            }
            defer { try? upstream.close() }
            await withTaskGroup(of: Void.self) { group in
                group.addTask { await pipe(from: client, to: upstream) }
                await pipe(from: upstream, to: client)
            }
            log.closed(client.remoteAddress)
        }
    }
}
