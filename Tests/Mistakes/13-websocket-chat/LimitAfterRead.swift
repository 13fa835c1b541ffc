// mistake: limit-after-read
// fails: closes a message over the read limit with 1009
//
// Reads the whole message, however long its frames say they are, and only then compares it
// with the limit. The limit is there to refuse memory to a stranger: a client that announces a
// 2^62-byte frame, or sends a 100 MiB one, is believed and waited for before the check runs.
import LessonKit
import NetCore

enum LimitAfterRead {
    static func main() -> Never {
        serveChat(Variant(messageLoop: { await readThenCheck(from: $0, hub: $1, settings: $2, log: $3, variant: $4) }))
    }

    static func readThenCheck(from client: Client, hub: Hub, settings: Settings, log: Log, variant: Variant) async {
        var message: [UInt8] = []
        var kind: Opcode?
        var utf8 = UTF8Validator()
        do {
            while true {
                let frame = try await variant.frameReader(client.conn, Int.max)
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
                    utf8 = UTF8Validator()
                case .continuation:
                    guard kind != nil else { throw CloseError.protocolError("continuation frame with no message") }
                    message += frame.payload
                }
                if kind == .text, !utf8.feed(frame.payload) { throw CloseError(code: 1007, description: "text is not UTF-8") }
                guard frame.fin, let done = kind else { continue }
                if message.count > settings.readLimit { throw CloseError(code: 1009, description: "message over the read limit") }
                if done == .text, !utf8.isComplete { throw CloseError(code: 1007, description: "text is not UTF-8") }
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
