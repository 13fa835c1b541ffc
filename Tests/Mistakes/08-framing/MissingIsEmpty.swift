// mistake: missing-is-empty
// fails: a get of a missing key answers not-ok, and so does an unknown kind
//
// Answers a get of a key that was never stored with an empty value and status OK (Go's zero
// value from a map), and treats every kind that is not a put as a get.
import LessonKit
import NetCore

enum MissingIsEmpty {
    static func main() -> Never {
        serveKeyValue { conn, store, log in
            await handle(conn, log: log) { request in
                if request.kind == .put { return store.apply(request) }
                return KeyValueMessage(key: request.key, value: store.lookUp(request.key) ?? "", kind: request.kind)
            }
        }
    }
}
