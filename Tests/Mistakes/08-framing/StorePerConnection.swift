// mistake: store-per-connection
// fails: a put on one connection is seen on another
//
// Makes the store inside the connection's task: no lock is needed, every check with one client
// passes, and a put on one connection is invisible to every other.
import LessonKit
import NetCore

enum StorePerConnection {
    static func main() -> Never {
        serveKeyValue { conn, _, log in
            let store = Store()
            await handle(conn, log: log, apply: store.apply)
        }
    }
}
