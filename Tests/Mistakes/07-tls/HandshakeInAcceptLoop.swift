// mistake: handshake-in-accept-loop
// fails: a stalled handshake does not hold up other clients
//
// Runs the sniff and the handshake in the accept loop and starts a task only for the proxying.
// It has a deadline, so nothing hangs for ever, but while one client stalls its handshake
// nobody else is even accepted.
import LessonKit
import NetCore
import NetTLS

enum HandshakeInAcceptLoop {
    static func main() -> Never {
        LessonProgram.run(flags: lessonFlags) { options, log in
            let tls = try serverConfig(options)
            let limit = options.duration("handshake-timeout") ?? .seconds(5)
            let listener = try TCPListener.listen(address: options.listen)
            log.ready(listener.address)
            await withDiscardingTaskGroup { group in
                while true {
                    guard let client = try? await listener.accept() else { return }
                    log.accepted(client.remoteAddress)
                    guard let secure = await sniffAndHandshake(client, tls: tls, limit: limit, log: log) else {
                        try? client.close()
                        continue
                    }
                    group.addTask {
                        await proxy(secure, to: options.upstream!, log: log)
                        try? client.close()
                    }
                }
            }
        }
    }
}
