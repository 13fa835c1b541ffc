// mistake: upgrades-anything
// fails: upgrades GET /chat and refuses what is not a WebSocket handshake
//
// Answers 101 to any request that carries a Sec-WebSocket-Key: any path, any method, no
// Upgrade or Connection header, any version. Every real client still works, which is how the
// shortcut survives; but a POST, a request for another path or an old protocol version is
// switched to frames it never asked for, instead of getting its 404, 400 or 426.
import LessonKit
import NetCore

enum UpgradesAnything {
    static func main() -> Never {
        serveChat(
            Variant(refuse: { head in
                guard let key = head.header("Sec-WebSocket-Key"), !key.isEmpty else {
                    return ("no Sec-WebSocket-Key", httpError(400, "Bad Request"))
                }
                return nil
            }))
    }
}
