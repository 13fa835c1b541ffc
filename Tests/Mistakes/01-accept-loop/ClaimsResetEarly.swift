// mistake: claims-reset-early
// fails: logs the reason when a client resets
//
// A cheat: it writes the line the check looks for the moment a client connects, before any
// reset has happened, and swallows the real errors. A log line about an event only counts when
// it comes after the event.
import LessonKit
import NetCore

enum ClaimsResetEarly {
    static func main() -> Never {
        acceptEach { conn, log in
            let peer = conn.remoteAddress
            log.accepted(peer)
            log.event("closed \(peer) after 0 bytes: connection reset by peer")
            log.event("closed \(peer) after 7 bytes: connection reset by peer")
            _ = try? await copy(from: conn, to: conn)
            try? conn.close()
        }
    }
}
