// mistake: forgets-buffered-requests
// fails: a client that never reads stalls nobody, and its replies stay bounded
//
// Stops answering at the output limit, as it should, but answers again only when new bytes
// arrive: requests already read into the conn's input buffer bring no event of their own, so
// once the replies drain and the client has nothing more to send, they are never answered.
import LessonKit
import Syscall

enum ForgetsBufferedRequests {
    static func main() -> Never {
        serveEventLoop(makeConn: { Forgetting(fd: $0, peer: $1, epfd: $2) })
    }

    final class Forgetting: Conn {
        override func answerAndWrite(store: inout [String: String]) throws {
            try answerWholeFrames(store: &store)
            try flush()
        }
    }
}
