// mistake: no-write-buffer
// fails: a client that never reads stalls nobody, and its replies stay bounded
//
// Writes each batch of replies once and forgets whatever the socket did not take: while the
// client reads, nothing seems wrong; once its buffers are full, replies are silently lost.
import LessonKit
import Syscall

enum NoWriteBuffer {
    static func main() -> Never {
        serveEventLoop(makeConn: { Forgetful(fd: $0, peer: $1, epfd: $2) })
    }

    final class Forgetful: Conn {
        override func flush() throws(SyscallError) {
            defer { output.removeAll() }
            guard !output.isEmpty else { return }
            do {
                _ = try write(fd, output)
            } catch .wouldBlock {
            }
        }
    }
}
