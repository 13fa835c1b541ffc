// mistake: no-deadline
// fails: closes a client that never finishes its handshake
//
// Sniffs and handshakes without a deadline: a client that sends half a record, or nothing,
// holds its task and its descriptor for as long as it likes.
import LessonKit
import NetCore
import NetTLS

enum NoDeadline {
    static func main() -> Never {
        serveTerminating(Sniff(deadline: false))  // may wait for ever
    }
}
