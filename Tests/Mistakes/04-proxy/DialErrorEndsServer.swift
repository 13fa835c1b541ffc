// mistake: dial-error-ends-server
// fails: an unreachable upstream closes the client promptly
//
// Lets the dial's error escape the connection's task into the accept loop: the first client
// that arrives while the upstream is down ends the whole server, and nothing names the address.
import LessonKit
import NetCore

enum DialErrorEndsServer {
    static func main() -> Never {
        LessonProgram.run(flags: [.upstream]) { options, log in
            let address = options.upstream!
            let listener = try TCPListener.listen(address: options.listen)
            log.ready(listener.address)
            while true {
                let client = try await listener.accept()
                log.accepted(client.remoteAddress)
                let upstream = try await TCPConn.dial(address, timeout: .seconds(5))  // throws out of the loop
                Task {
                    defer { try? client.close(); try? upstream.close() }
                    async let up: Void = {
                        _ = try? await copy(from: client, to: upstream)
                        try? upstream.closeWrite()
                    }()
                    _ = try? await copy(from: upstream, to: client)
                    try? client.closeWrite()
                    await up
                    log.closed(client.remoteAddress)
                }
            }
        }
    }
}
