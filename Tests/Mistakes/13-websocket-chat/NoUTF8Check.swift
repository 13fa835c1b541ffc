// mistake: no-utf8-check
// fails: conformance 6: UTF-8 handling
//
// Passes text messages on without checking that they are UTF-8. RFC 6455 says a text message
// is UTF-8 and that an endpoint receiving anything else closes with 1007; a server that relays
// invalid text breaks every client that trusts the rule (a browser fails the connection).
import LessonKit
import NetCore

enum NoUTF8Check {
    static func main() -> Never {
        serveChat(Variant(messageLoop: { await readUnchecked(from: $0, hub: $1, settings: $2, log: $3, variant: $4) }))
    }

    static func readUnchecked(from client: Client, hub: Hub, settings: Settings, log: Log, variant: Variant) async {
        var message: [UInt8] = []
        var kind: Opcode?
        do {
            while true {
                let frame = try await variant.frameReader(client.conn, settings.readLimit - message.count)
                client.heard()
                switch frame.opcode {
                case .ping:
                    client.sendControl(encodeFrame(.pong, frame.payload))
                    continue
                case .pong:
                    continue
                case .close:
                    client.end(.closedByClient(echo: try closeReply(to: frame.payload)))
                    return
                case .text, .binary:
                    guard kind == nil else { throw CloseError.protocolError("a new message began inside a fragmented one") }
                    kind = frame.opcode
                    message = frame.payload
                case .continuation:
                    guard kind != nil else { throw CloseError.protocolError("continuation frame with no message") }
                    message += frame.payload
                }
                guard frame.fin, let done = kind else { continue }
                await variant.broadcast(hub, encodeFrame(done, message))
                message = []
                kind = nil
            }
        } catch let error as CloseError {
            log.error("\(client.peer): \(error)")
            client.end(.closeWith(error.code, String(describing: error)))
        } catch {
            endAfterReadError(client, error, log: log)
        }
    }
}
