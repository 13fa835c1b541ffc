// mistake: first-extension-only
// fails: finds the server name after other extensions
//
// Looks for server_name only in the first extension. OpenSSL, curl and Python put it first;
// GnuTLS does not, and its hello is logged as `sni none`.
enum FirstExtensionOnly {
    static func main() -> Never {
        HelloServer(serverName: { message in
            guard var extensions = try extensions(inClientHello: message) else { return nil }
            // The mistake: server_name is taken to be the first extension.
            guard let type = extensions.readUInt16(), let data = extensions.readUInt16LengthPrefixed() else {
                throw HelloError("malformed extension")
            }
            return type == 0 ? try hostName(inServerNameExtension: data) : nil
        }).run()
    }
}
