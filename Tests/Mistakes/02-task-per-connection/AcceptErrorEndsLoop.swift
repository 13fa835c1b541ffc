// mistake: accept-error-ends-loop
// fails: keeps serving after it runs out of descriptors
//
// Treats every accept error as the end: `guard let conn = try? await listener.accept() else
// { return }`. Running out of descriptors (EMFILE) is temporary, and goes away as soon as a
// client leaves, but this loop has ended by then and the server never accepts again.
import LessonKit
import NetCore

enum AcceptErrorEndsLoop {
    static func main() -> Never {
        LessonProgram.run { options, log in
            let listener = try TCPListener.listen(address: options.listen)
            log.ready(listener.address)
            await withDiscardingTaskGroup { group in
                while true {
                    guard let conn = try? await listener.accept() else { return }
                    group.addTask { await echo(conn, log: log) }
                }
            }
            // The loop is over, but the group's tasks kept the program up until now; it stays
            // up (as a server whose accept loop died often does), serving nobody new.
            try await Task.sleep(for: .seconds(3600))
        }
    }
}
