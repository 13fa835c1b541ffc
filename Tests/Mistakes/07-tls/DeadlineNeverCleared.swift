// mistake: deadline-never-cleared
// fails: a session outlives the handshake deadline
//
// Bounds the sniff and the handshake with a deadline, as it should, but never clears it: every
// session is cut off the handshake limit after the client arrived, however busy it is.
import LessonKit
import NetCore
import NetTLS

enum DeadlineNeverCleared {
    static func main() -> Never {
        serveTerminating(Sniff(clearDeadline: false))  // the deadline stays set
    }
}
