// mistake: frame-is-message
// fails: reassembles fragmented messages and answers pings between fragments
//
// Takes every frame for a whole message: each fragment is sent on by itself, the continuation
// frames as messages of the first fragment's type. A client that sends "Hel" + "lo" has its
// friends read "Hel" and "lo"; a fragmented text split inside a character is two invalid texts.
import LessonKit
import NetCore

enum FrameIsMessage {
    static func main() -> Never {
        serveChat(Variant(messageLoop: { await readFrames(from: $0, hub: $1, settings: $2, log: $3, variant: $4) }))
    }

    static func readFrames(from client: Client, hub: Hub, settings: Settings, log: Log, variant: Variant) async {
        var kind: Opcode = .text
        do {
            while true {
                let frame = try await variant.frameReader(client.conn, settings.readLimit)
                client.heard()
                switch frame.opcode {
                case .ping:
                    client.sendControl(encodeFrame(.pong, frame.payload))
                case .pong:
                    break
                case .close:
                    client.end(.closedByClient(echo: try closeReply(to: frame.payload)))
                    return
                case .text, .binary:
                    kind = frame.opcode
                    await variant.broadcast(hub, encodeFrame(kind, frame.payload))
                case .continuation:
                    await variant.broadcast(hub, encodeFrame(kind, frame.payload))
                }
            }
        } catch let error as CloseError {
            log.error("\(client.peer): \(error)")
            client.end(.closeWith(error.code, String(describing: error)))
        } catch {
            endAfterReadError(client, error, log: log)
        }
    }
}
