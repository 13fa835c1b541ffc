// mistake: silent-drop
// fails: disconnects a client too slow to keep up, with 1008, and nobody waits
//
// The seed's hub: a full queue removes the client and closes its connection, with no close
// frame and no log line. The client sees a connection that just ends (1006, "abnormal"), and
// the operator never learns that anyone was dropped, or why.
import LessonKit
import NetCore

enum SilentDrop {
    static func main() -> Never {
        serveChat(Variant(onFullQueue: { client, _ in client.end(.failed("use of closed network connection")) }))
    }
}
