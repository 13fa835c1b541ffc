// mistake: waits-forever
// fails: a client that ignores the close does not hold the exit past --grace
//
// The shutdown waits for every connection to end, with no bound: Go's `srv.Shutdown` with a
// context that never times out. One client that never answers the close frame (a dead laptop, a
// buggy script) holds the process until the orchestrator loses patience and sends SIGKILL.
import LessonKit

enum WaitsForever {
    static func main() -> Never {
        serveChat(Variant(graceTimer: false))
    }
}
