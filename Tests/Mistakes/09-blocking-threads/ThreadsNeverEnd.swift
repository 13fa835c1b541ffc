// mistake: threads-never-end
// fails: a thread for each connection, and back when they leave
//
// Takes read(2) returning 0 for "nothing yet" and tries again a little later, as if the socket
// were non-blocking. But 0 is the end of the stream: the client has gone, and its thread (and
// descriptor) stay forever, one for every client the server has ever had.
import Foundation
import LessonKit
import Syscall

enum ThreadsNeverEnd {
    static func main() -> Never {
        serveKeyValue { conn, peer, store, log in
            Thread.detachNewThread {
                handle(conn, peer: peer, store: store, log: log) { fd in
                    try readFrame(from: fd, readFull: readFullRetrying)
                }
            }
        }
    }

    /// Exactly `count` bytes; a read of 0 is retried after 10 ms instead of ending the stream.
    static func readFullRetrying(_ fd: FD, _ count: Int) throws -> [UInt8]? {
        var buffer = [UInt8](repeating: 0, count: count)
        var filled = 0
        while filled < count {
            let n = try buffer.withUnsafeMutableBytes { bytes in
                try read(fd, UnsafeMutableRawBufferPointer(rebasing: bytes[filled...]))
            }
            if n == 0 {
                usleep(10_000)  // "nothing has arrived yet"
                continue
            }
            filled += n
        }
        return buffer
    }
}
