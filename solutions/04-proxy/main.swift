// Lesson 4 — reference solution: a TCP proxy that knows how both of its copies end.
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
    let upstream: TCPConn
    do {
        upstream = try await TCPConn.dial(address, timeout: .seconds(5))
    } catch {
        log.event("upstream \(address): \(Log.reason(error))")
        return
    }
    defer { try? upstream.close() }
    await withTaskGroup(of: Void.self) { group in
        group.addTask { await pipe(from: client, to: upstream) }
        await pipe(from: upstream, to: client)
    }
    log.closed(client.remoteAddress)
}

/// One direction: copy (spliced), then pass the end of stream on with a half-close. On an
/// error, close both ends so that the other direction stops waiting too.
func pipe(from source: TCPConn, to destination: TCPConn) async {
    do {
        try await copy(from: source, to: destination)
        try? destination.closeWrite()
    } catch {
        try? source.close()
        try? destination.close()
    }
}
