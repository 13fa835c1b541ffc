// mistake: returns-second-name
// fails: rejects a hello with two server_name extensions
//
// Keeps the last server name it finds: a second server_name extension, or a second host_name in
// the list, replaces the first instead of being refused. A router that follows the second name
// while the TLS server behind it follows the first can be steered to a site the client never
// asked for.
enum ReturnsSecondName {
    static func main() -> Never {
        HelloServer(serverName: { message in
            guard var extensions = try extensions(inClientHello: message) else { return nil }
            var name: String?
            while !extensions.isEmpty {
                guard let type = extensions.readUInt16(), var data = extensions.readUInt16LengthPrefixed() else {
                    throw HelloError("malformed extension")
                }
                guard type == 0 else { continue }
                guard var list = data.readUInt16LengthPrefixed(), data.isEmpty else { throw HelloError("malformed server_name extension") }
                while !list.isEmpty {
                    guard let nameType = list.readUInt8(), let entry = list.readUInt16LengthPrefixed() else {
                        throw HelloError("malformed server_name entry")
                    }
                    // The mistake: neither a repeated extension nor a repeated entry is refused;
                    // each name found replaces the one before.
                    if nameType == 0 { name = try validHostName(entry.bytes) }
                }
            }
            return name
        }).run()
    }
}
