// mistake: blocking-broadcast
// fails: disconnects a client too slow to keep up, with 1008, and nobody waits
//
// No queue: the hub writes each message to every client in turn and waits for each write. One
// client that stops reading fills its socket's buffers, its write waits, and with it the whole
// chat: every other client's messages wait behind it, and nobody is ever dropped.
import LessonKit
import NetCore

enum BlockingBroadcast {
    static func main() -> Never {
        serveChat(Variant(broadcast: { hub, frame in await broadcastWaiting(hub, frame) }))
    }

    static func broadcastWaiting(_ hub: Hub, _ frame: [UInt8]) async {
        guard (try? await hub.order.lock()) != nil else { return }
        defer { hub.order.unlock() }
        for client in hub.members {
            do { try await client.conn.write(frame) } catch { client.end(.failed(Log.reason(error))) }
        }
    }
}
