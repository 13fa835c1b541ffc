// mistake: pinger-outlives-connection
// fails: after 2,000 clients come and go, sockets, descriptors and memory are back where they were
//
// The task leak: the pinger is a child of the connection's task group, and nobody cancels it
// when the reader returns. It sleeps and pings for ever, the group waits for it for ever, and
// the connection's socket is never closed: every client that leaves leaves a socket and three
// tasks behind. (The seed's version: a goroutine in a `select` with `default` around a blocking
// read, which never gets back to the `select` to see `ctx.Done()`.)
import LessonKit

enum PingerOutlivesConnection {
    static func main() -> Never {
        serveChat(Variant(cancelsPinger: false))
    }
}
