// mistake: read-reset-ends-server
// fails: survives a client that resets mid-stream
//
// Echoes with its own read/write loop and handles an error of the write, the one a reset
// usually causes while 64 KiB are still on their way back; an error of the read, which is what
// a reset brings to a connection that is waiting for the client, escapes and ends the program.
import LessonKit
import NetCore

enum ReadResetEndsServer {
    static func main() -> Never {
        acceptEach { conn, log in
            let peer = conn.remoteAddress
            log.accepted(peer)
            var count = 0
            while true {
                let chunk = try await conn.read(upToCount: 32 * 1024)  // a reset here ends the server
                if chunk.isEmpty { break }
                do {
                    try await conn.write(chunk)
                } catch let error as NetError {
                    log.event("closed \(peer) after \(count) bytes: \(error.reason)")
                    try? conn.close()
                    return
                }
                count += chunk.count
            }
            log.event("closed \(peer) after \(count) bytes")
            try? conn.close()
        }
    }
}
