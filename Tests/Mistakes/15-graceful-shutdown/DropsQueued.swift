// mistake: drops-queued
// fails: messages broadcast before SIGTERM reach every client before its close frame
//
// The shutdown ends every connection at once with close 1001, the way lesson 13 ends a
// connection for a protocol error: the writer stops at the decision to close, so the messages
// still in a slow client's queue are never sent. Their senders saw them come back (they were
// acknowledged); the slow client never gets them.
import LessonKit
import Synchronization

enum DropsQueued {
    /// Every client that joined, so that the shutdown can end them itself.
    static let everyone = Mutex<[Client]>([])

    static func main() -> Never {
        serveChat(
            Variant(
                onJoin: { client in everyone.withLock { $0.append(client) } },
                sendAway: { hub in
                    for client in everyone.withLock({ $0 }) { client.end(.closeWith(1001, "going away")) }
                    hub.shutDown()  // nothing more is broadcast
                }))
    }
}
