// mistake: no-size-cap
// fails: rejects a ClientHello over the size cap at once
//
// Believes the handshake length, up to 16 MiB: a hello that announces more than any real client
// sends is waited for until the deadline, and would be buffered whole.
enum NoSizeCap {
    static func main() -> Never {
        HelloServer(maxHelloSize: nil).run()
    }
}
