// mistake: never-closes
// fails: closing a conn removes it from the loop
//
// When a client leaves, takes its socket out of epoll and forgets the conn, but never closes the
// socket: every connection that ever came leaves a descriptor behind.
import LessonKit
import Syscall

enum NeverCloses {
    static func main() -> Never {
        serveEventLoop(makeConn: { Leaky(fd: $0, peer: $1, epfd: $2) })
    }

    final class Leaky: Conn {
        override func close(log: Log, error: SyscallError? = nil, protocolError: String? = nil) {
            if let protocolError { log.error("\(peer): \(protocolError)") }
            log.closed(peer, error: error)
            try? epollCtl(epfd, .delete, fd, [])
            isClosed = true
        }
    }
}
