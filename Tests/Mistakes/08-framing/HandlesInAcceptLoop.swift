// mistake: handles-in-accept-loop
// fails: 100 clients hammer shared keys at once
//
// Serves each connection in the accept loop itself, as the article's single-threaded server
// does: every check with one client at a time passes, and the second of two clients that are
// connected together waits until the first one leaves.
import LessonKit
import NetCore

enum HandlesInAcceptLoop {
    static func main() -> Never {
        LessonProgram.run { options, log in
            let store = Store()
            let listener = try TCPListener.listen(address: options.listen)
            log.ready(listener.address)
            while true {
                let conn = try await listener.accept()
                await handle(conn, log: log, apply: store.apply)
                try? conn.close()
            }
        }
    }
}
