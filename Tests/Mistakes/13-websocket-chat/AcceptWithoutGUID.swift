// mistake: accept-without-guid
// fails: upgrades GET /chat and refuses what is not a WebSocket handshake
//
// Hashes the client's key alone, without RFC 6455's GUID. Every client checks
// Sec-WebSocket-Accept and refuses the connection: the value proves that the server read the
// key and speaks WebSocket, which only the GUID makes true.
import LessonKit
import NetCore

enum AcceptWithoutGUID {
    static func main() -> Never {
        serveChat(Variant(accept: { key in WebSocketHandshake.base64Encode(WebSocketHandshake.sha1(Array(key.utf8))) }))
    }
}
