// mistake: read-in-accept-loop
// fails: a silent client does not block the next one
//
// Reads the first bytes in the accept loop (to "see what the client wants") before handing the
// connection to its task: a client that says nothing holds up every client after it.
import LessonKit
import NetCore

enum ReadInAcceptLoop {
    static func main() -> Never {
        LessonProgram.run { options, log in
            let listener = try TCPListener.listen(address: options.listen)
            log.ready(listener.address)
            await withDiscardingTaskGroup { group in
                while let conn = try? await listener.accept() {
                    let first = (try? await conn.read(upToCount: 1)) ?? []
                    group.addTask {
                        try? await conn.write(first)
                        await echo(conn, log: log)
                    }
                }
            }
        }
    }
}
