// mistake: keeps-accepting
// fails: refuses new connections as soon as SIGTERM comes, and finishes the old ones
//
// The listener stays open during the grace period: new clients connect (the kernel completes
// their handshake whether or not anybody accepts) and join a server that is shutting down,
// instead of being refused and going to another instance behind the load balancer.
import LessonKit

enum KeepsAccepting {
    static func main() -> Never {
        serveChat(Variant(closesListenerFirst: false))
    }
}
