// Lesson 1 — The accept loop. Read the lesson with `netlab lesson 1`; check with `netlab check 1`.
// Top-level code below `LessonProgram.run { … }` never runs (run never returns): put constants
// inside the closure or in a type (`enum Limits { static let … }`); functions and types are fine.
import LessonKit
import NetCore

LessonProgram.run { options, log in
    let listener = try TCPListener.listen(address: options.listen)
    log.ready(listener.address)

    // TODO: accept connections in a loop, one after another. For each one:
    //   - log "accepted ADDRESS"          (log.accepted(conn.remoteAddress))
    //   - echo back every byte it sends   (copy(from:to:) returns the count)
    //   - close it, and log "closed ADDRESS after N bytes" (with ": REASON" after an error)
    // An error on one connection must not stop the server.
    try await Task.sleep(for: .seconds(3600))
}
