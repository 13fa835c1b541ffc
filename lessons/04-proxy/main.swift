// Lesson 4 — A proxy. Read it with `netlab lesson 4`; check with `netlab check 4`.
// Top-level code below `LessonProgram.run { … }` never runs (run never returns): put constants
// inside the closure or in a type (`enum Limits { static let … }`); functions and types are fine.
import LessonKit
import NetCore

LessonProgram.run(flags: [.upstream]) { options, log in
    let upstream = options.upstream!
    let listener = try TCPListener.listen(address: options.listen)
    log.ready(listener.address)
    try await serve(listener) { client in
        await proxy(client, to: upstream, log: log)
    }
}

/// Copies between `client` and a new connection to `address` until both directions are done.
func proxy(_ client: TCPConn, to address: String, log: Log) async {
    defer { try? client.close() }
    log.accepted(client.remoteAddress)
    // TODO: dial `address` (with a timeout; on failure log "upstream ADDRESS: REASON"), then
    // copy both ways at once. When a copy ends, half-close its destination (closeWrite());
    // when one fails, close both conns. Return when both copies are done, and log
    // "closed ADDRESS" (log.closed(client.remoteAddress)).
}
