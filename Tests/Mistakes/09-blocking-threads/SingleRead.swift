// mistake: single-read
// fails: reads frames in pieces while another client idles
//
// The article's reader again, over read(2): one call for the 4 length bytes and one for the
// rest, each trusted to fill its buffer. A frame that arrives in pieces is misread.
import Foundation
import LessonKit
import Syscall

enum SingleRead {
    static func main() -> Never {
        serveKeyValue { conn, peer, store, log in
            Thread.detachNewThread {
                handle(conn, peer: peer, store: store, log: log) { fd in
                    try readFrame(from: fd, readFull: readOnce)
                }
            }
        }
    }

    /// One read(2) of at most `count` bytes, whatever it returns; nil at end of stream.
    static func readOnce(_ fd: FD, _ count: Int) throws -> [UInt8]? {
        var buffer = [UInt8](repeating: 0, count: count)
        let n = try read(fd, &buffer)
        return n == 0 ? nil : Array(buffer[..<n])
    }
}
