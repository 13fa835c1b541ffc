// mistake: retries-without-pause
// fails: pauses before it tries accept again
//
// Retries a temporary accept error at once: while the server is out of descriptors the loop
// spins, logging `too many open files` thousands of times a second and burning a CPU.
import LessonKit
import NetCore

enum RetriesWithoutPause {
    static func main() -> Never {
        LessonProgram.run { options, log in
            let listener = try TCPListener.listen(address: options.listen)
            log.ready(listener.address)
            try await withThrowingDiscardingTaskGroup { group in
                while true {
                    let conn: TCPConn
                    do {
                        conn = try await listener.accept()
                    } catch let error as NetError where error.isTemporary {
                        log.error("accept: \(error.reason)")
                        continue  // no pause
                    }
                    group.addTask { await echo(conn, log: log) }
                }
            }
        }
    }
}
