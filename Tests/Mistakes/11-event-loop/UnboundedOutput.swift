// mistake: unbounded-output
// fails: a client that never reads stalls nobody, and its replies stay bounded
//
// Keeps reading from a client however many of its replies wait: one that sends requests and
// never reads makes the output buffer, and the server's memory, grow without bound.
import LessonKit
import Syscall

enum UnboundedOutput {
    static func main() -> Never {
        serveEventLoop(makeConn: { Hoarder(fd: $0, peer: $1, epfd: $2) })
    }

    final class Hoarder: Conn {
        override var maxPendingOutput: Int { .max }
    }
}
