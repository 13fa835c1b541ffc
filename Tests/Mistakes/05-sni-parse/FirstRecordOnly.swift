// mistake: first-record-only
// fails: reassembles a hello fragmented across several records
//
// Reads one record, carefully, and parses its fragment as the whole ClientHello. Real clients put
// the hello in one record, but RFC 8446 lets them split it, and a split hello is refused.
enum FirstRecordOnly {
    static func main() -> Never {
        HelloServer(readHello: { server, conn, timeout in
            try await server.readHandshakeRecord(from: conn, timeout: timeout)
        }).run()
    }
}
