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
    // The error that ended the proxying, if one did: the first copy's to fail. The other copy
    // then fails only because the first closed both conns, which is no news.
    let failure = await withTaskGroup(of: (any Error)?.self) { group in
        group.addTask { await pipe(from: client, to: upstream) }
        group.addTask { await pipe(from: upstream, to: client) }
        var first: (any Error)?
        for await error in group where first == nil { first = error }
        return first
    }
    log.closed(client.remoteAddress, error: failure)
}

/// One direction: copy (spliced), then pass the end of stream on with a half-close. On an
/// error, close both ends so that the other direction stops waiting too, and return the error
/// unless it is the `.closed` that the other direction's failure caused.
func pipe(from source: TCPConn, to destination: TCPConn) async -> (any Error)? {
    do {
        try await copy(from: source, to: destination)
        try? destination.closeWrite()
        return nil
    } catch {
        try? source.close()
        try? destination.close()
        if let net = error as? NetError, net.code == .closed { return nil }
        return error
    }
}
