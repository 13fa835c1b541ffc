// mistake: leaks-descriptor
// fails: descriptors return to their starting count
//
// The thread ends when its client leaves, but nothing closes the connection's descriptor: every
// client the server has had keeps one, until accept fails with "too many open files".
import Foundation
import LessonKit
import Syscall

enum LeaksDescriptor {
    static func main() -> Never {
        serveKeyValue { conn, peer, store, log in
            Thread.detachNewThread {
                serveFrames(conn, peer: peer, store: store, log: log) { try readFrame(from: $0) }
            }
        }
    }
}
