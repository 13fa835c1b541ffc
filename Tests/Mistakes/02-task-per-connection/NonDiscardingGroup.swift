// mistake: non-discarding-group
// fails: finished connections leave no memory behind
//
// Uses `withTaskGroup` and never asks it for results: a plain task group keeps every child
// that has finished until `next()` takes it, so each connection the server has ever served
// stays in memory. Correct for an hour of testing, out of memory after weeks of clients.
import LessonKit
import NetCore

enum NonDiscardingGroup {
    static func main() -> Never {
        LessonProgram.run { options, log in
            let listener = try TCPListener.listen(address: options.listen)
            log.ready(listener.address)
            await withTaskGroup(of: Void.self) { group in
                while true {
                    let conn: TCPConn
                    do {
                        conn = try await listener.accept()
                    } catch let error as NetError where error.isTemporary {
                        try? await Task.sleep(for: .milliseconds(100))
                        continue
                    } catch {
                        return
                    }
                    group.addTask { await echo(conn, log: log) }
                }
            }
        }
    }
}
