// mistake: grace-is-an-error
// fails: a client that ignores the close does not hold the exit past --grace
//
// The grace timer's GraceOver escapes the program's body: the shutdown works, but the program
// logs `error: grace period over` and exits with status 1. An orchestrator reads a nonzero
// status as a crash (a restart, an alert at night) when the shutdown went as designed.
import LessonKit

enum GraceIsAnError {
    static func main() -> Never {
        serveChat(Variant(graceOverIsNormal: false))
    }
}
