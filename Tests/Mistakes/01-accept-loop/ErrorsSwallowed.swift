// mistake: errors-swallowed
// fails: logs the reason when a client resets
//
// `try?` around the copy: a reset is logged as an ordinary close "after 0 bytes", with neither
// the bytes that did get through nor the reason.
import LessonKit
import NetCore

enum ErrorsSwallowed {
    static func main() -> Never {
        acceptEach { conn, log in
            let peer = conn.remoteAddress
            log.accepted(peer)
            let count = (try? await copy(from: conn, to: conn)) ?? 0
            log.event("closed \(peer) after \(count) bytes")
            try? conn.close()
        }
    }
}
