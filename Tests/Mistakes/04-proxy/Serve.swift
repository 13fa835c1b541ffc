// The solution's accept loop, shared by the mistakes: each one changes only the proxying.
import LessonKit
import NetCore

/// Listens, then runs `handle` with the client and the upstream address for every connection.
func serveEachClient(_ handle: @escaping @Sendable (TCPConn, String, Log) async throws -> Void) -> Never {
    LessonProgram.run(flags: [.upstream]) { options, log in
        let upstream = options.upstream!
        let listener = try TCPListener.listen(address: options.listen)
        log.ready(listener.address)
        try await serve(listener) { client in
            log.accepted(client.remoteAddress)
            try? await handle(client, upstream, log)
        }
    }
}

/// The solution's one direction: copy, then pass the end of stream on with a half-close; on
/// an error, close both so that the other direction stops waiting too.
func pipe(from source: TCPConn, to destination: TCPConn) async {
    do {
        try await copy(from: source, to: destination)
        try? destination.closeWrite()
    } catch {
        try? source.close()
        try? destination.close()
    }
}
