// mistake: single-read
// fails: routes a ClientHello that arrives in many small writes
//
// Takes whatever one read returns as the whole ClientHello. It works when the hello arrives in
// one piece, as it usually does on loopback; a hello that arrives in pieces is cut short, the
// parse fails, and the client is closed.
import LessonKit
import NetCore

enum SingleRead {
    static func main() -> Never {
        LessonProgram.run(flags: [.route]) { options, log in
            let routes = routeTable(options)
            let listener = try TCPListener.listen(address: options.listen)
            log.ready(listener.address)
            try await serve(listener) { client in
                let peer = client.remoteAddress
                log.accepted(peer)
                let bytes: [UInt8]
                let sni: String?
                do {
                    try client.setReadDeadline(.after(.seconds(5)))
                    bytes = try await client.read(upToCount: 16 * 1024)  // one read is not one hello
                    try client.setReadDeadline(nil)
                    var record = ByteString(bytes)
                    guard record.readUInt8() == 22, record.skip(2), let body = record.readUInt16LengthPrefixed() else {
                        throw HelloError("malformed record")
                    }
                    sni = try serverName(inClientHello: body.bytes)
                } catch {
                    log.closed(peer, error: error)
                    return
                }
                log.sni(sni)
                guard let name = sni?.lowercased(), let address = routes[name] else {
                    log.event("closed \(peer): no route for \(sni ?? "a client without SNI")")
                    return
                }
                log.event("route \(name) -> \(address)")
                guard let upstream = try? await TCPConn.dial(address, timeout: .seconds(5)) else { return }
                defer { try? upstream.close() }
                let replayed = PrefixConn(prefix: bytes, base: client)
                await withTaskGroup(of: Void.self) { group in
                    group.addTask { await pipe(from: replayed, to: upstream) }
                    await pipe(from: upstream, to: replayed)
                }
                log.closed(peer)
            }
        }
    }
}
