// mistake: no-replay
// fails: completes a handshake that the client verifies
//
// Sniffs the first byte and then hands TLS the client conn itself, not a PrefixConn: TLS reads
// a ClientHello whose first byte is missing, and every handshake fails.
import LessonKit
import NetCore
import NetTLS

enum NoReplay {
    static func main() -> Never {
        serveTerminating(Sniff(replay: false))  // the 0x16 is gone
    }
}
