// mistake: tls12-max
// fails: negotiates TLS 1.3
//
// Caps the server at TLS 1.2 "for compatibility". Every modern client still connects, at the
// older version, and a client that offers only TLS 1.3 is refused with a protocol_version alert.
import LessonKit
import NetCore
import NetTLS

enum TLS12Max {
    static func main() -> Never {
        LessonProgram.run(flags: lessonFlags) { options, log in
            let tls = try serverConfig(options, maxVersion: .tls12)
            let limit = options.duration("handshake-timeout") ?? .seconds(5)
            let listener = try TCPListener.listen(address: options.listen)
            log.ready(listener.address)
            try await serve(listener) { client in
                log.accepted(client.remoteAddress)
                guard let secure = await sniffAndHandshake(client, tls: tls, limit: limit, log: log) else { return }
                await proxy(secure, to: options.upstream!, log: log)
            }
        }
    }
}
