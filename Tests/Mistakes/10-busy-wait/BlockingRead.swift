// mistake: blocking-read
// fails: serves 50 clients at once, on one thread
//
// Makes the listener non-blocking but not the sockets accept returns: the first read on a client
// with nothing to say waits right there, in the only thread, and every other client waits too.
import LessonKit
import Syscall

enum BlockingRead {
    static func main() -> Never {
        serveBusyWaiting(acceptFlags: [.cloexec])
    }
}
