// mistake: fixed-worker-pool
// fails: accepts 1,000 connections at once
//
// Serves connections with 50 workers that each take the next connection when they are done:
// with 1,000 clients connected, the later ones wait for earlier ones to leave, and they don't.
import LessonKit
import NetCore

enum FixedWorkerPool {
    static func main() -> Never {
        LessonProgram.run { options, log in
            let listener = try TCPListener.listen(address: options.listen)
            log.ready(listener.address)
            await withDiscardingTaskGroup { group in
                for _ in 0..<50 {
                    group.addTask {
                        while let conn = try? await listener.accept() {
                            await echo(conn, log: log)
                        }
                    }
                }
            }
        }
    }
}
