// mistake: first-frame-in-accept-loop
// fails: a silent client does not stall the others
//
// A thread per connection, but the accept loop reads the client's first request itself before
// it starts the thread ("so the thread gets a connection that is ready"): lesson 2's mistake.
// Clients that talk at once are served together; a client that connects and says nothing holds
// the accept loop, and nobody else gets in.
import Foundation
import LessonKit
import Syscall

enum FirstFrameInAcceptLoop {
    static func main() -> Never {
        serveKeyValue { conn, peer, store, log in
            let first: KeyValueMessage?
            do {
                first = try readFrame(from: conn)
            } catch {
                log.error("\(peer): \(error)")
                try? close(conn)
                return
            }
            Thread.detachNewThread {
                var pending = first
                handle(conn, peer: peer, store: store, log: log) { fd in
                    if let request = pending {
                        pending = nil
                        return request
                    }
                    return try readFrame(from: fd)
                }
            }
        }
    }
}
