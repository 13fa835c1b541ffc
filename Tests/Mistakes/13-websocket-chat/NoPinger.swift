// mistake: no-pinger
// fails: closes a peer that never answers pings
//
// The seed's keepalive: a pong handler that extends a read deadline, and nobody who sends pings.
// No ping, no pong, so the deadline is never armed: a peer that vanished without a FIN (a
// laptop that went to sleep, a cable pulled out) holds its connection and its queue forever.
import LessonKit
import NetCore

enum NoPinger {
    static func main() -> Never {
        serveChat(Variant(pinger: { _, _ in }))
    }
}
