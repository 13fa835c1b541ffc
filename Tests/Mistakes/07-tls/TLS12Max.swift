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
        serveTerminating(maxVersion: .tls12)
    }
}
