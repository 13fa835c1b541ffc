// mistake: retries-quietly
// fails: pauses before it tries accept again
//
// Retries a temporary accept error at once, like retries-without-pause, but logs only the
// first failure: the log looks calm while the loop spins a CPU at full speed.
import LessonKit
import NetCore
import Synchronization

enum RetriesQuietly {
    static let logged = Mutex(false)

    static func main() -> Never {
        serveWithTasks { error, log in
            let first = logged.withLock { done in
                defer { done = true }; return !done
            }
            if first { log.error("accept: \(error.reason)") }  // once, then straight back to accept
        }
    }
}
