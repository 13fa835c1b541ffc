// mistake: trusts-lengths
// fails: rejects lengths that overflow their container
//
// Parses the hello by indexing the array and believes every length field. The first length that
// points past the end traps, and the whole server dies with it.
enum TrustsLengths {
    static func main() -> Never {
        HelloServer(serverName: { serverName(inClientHello: $0) }).run()
    }

    /// The mistake: the hello is parsed with indices into the array, trusting every length field.
    /// A length that reaches past the end traps (and ends the whole server); one that reaches
    /// past its parent reads the bytes of the next field.
    static func serverName(inClientHello message: [UInt8]) -> String? {
        var i = 4 + 2 + 32  // handshake header, version, random
        i += 1 + Int(message[i])  // session id
        i += 2 + (Int(message[i]) << 8 | Int(message[i + 1]))  // cipher suites
        i += 1 + Int(message[i])  // compression methods
        if i == message.count { return nil }
        let end = i + 2 + (Int(message[i]) << 8 | Int(message[i + 1]))
        i += 2
        while i < end {
            let type = Int(message[i]) << 8 | Int(message[i + 1])
            let length = Int(message[i + 2]) << 8 | Int(message[i + 3])
            if type == 0 {
                let nameLength = Int(message[i + 7]) << 8 | Int(message[i + 8])
                return String(decoding: message[(i + 9)..<(i + 9 + nameLength)], as: UTF8.self)
            }
            i += 4 + length
        }
        return nil
    }
}
