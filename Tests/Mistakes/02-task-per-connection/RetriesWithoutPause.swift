// mistake: retries-without-pause
// fails: pauses before it tries accept again
//
// Retries a temporary accept error at once: while the server is out of descriptors the loop
// spins, logging `too many open files` thousands of times a second and burning a CPU.
import LessonKit
import NetCore

enum RetriesWithoutPause {
    static func main() -> Never {
        serveWithTasks { error, log in
            log.error("accept: \(error.reason)")  // and straight back to accept: no pause
        }
    }
}
