/// Builds TLS ClientHellos that look like a current browser's, different at every call: what
/// `send … hello` sends. Random are the random and session id, the key shares, the cipher
/// suites offered after the TLS 1.3 ones, which optional extensions are present, the order of all
/// extensions (as Chrome shuffles them), the padding (extension 21, RFC 7685) and the GREASE
/// values (RFC 8701) in the cipher suites, groups, versions, key shares and two extensions.
///
/// One GREASE extension carries a decoy: a second random host name laid out like a server_name
/// list. A server ignores unknown extension types, so a parser that walks the extensions by type
/// never sees it; a program that searches the bytes for something that looks like a host name
/// finds two.
import CheckLanguage
package enum ClientHelloBuilder {
    /// A browser-like hello for `serverName`, the same for the same `seed`: what `netlab bench`
    /// opens each stream to an SNI router with.
    package static func hello(serverName: String, seed: UInt64) -> [UInt8] {
        var rng = SplitMix64Generator(seed: seed)
        return records(Contents(hostName: Array(serverName.utf8)), using: &rng)
    }

    /// What one hello says. Names are the bytes sent, as they are (a NUL or a trailing dot
    /// included).
    struct Contents: Sendable, Equatable {
        /// The host_name of the server_name extension; nil sends no server_name.
        var hostName: [UInt8]?
        /// A second server_name extension after the first, with this host_name.
        var secondExtensionName: [UInt8]?
        /// A second host_name entry after the first, in the same list.
        var secondEntryName: [UInt8]?
        /// The legacy version of every record header.
        var recordVersion: UInt16 = 0x0301
        /// The most bytes of the message in one record (1 to 16384).
        var recordSize = 16_384
    }

    /// The hello as it goes on the wire: its handshake message cut into records.
    static func records(_ contents: Contents, using rng: inout SplitMix64Generator) -> [UInt8] {
        frame(message(contents, using: &rng), version: contents.recordVersion, recordSize: contents.recordSize)
    }

    /// `message` cut into handshake records (type 22) whose fragments hold at most `recordSize` bytes.
    static func frame(_ message: [UInt8], version: UInt16, recordSize: Int) -> [UInt8] {
        let size = min(max(1, recordSize), 16_384)
        var out = ByteBuilder()
        var start = 0
        while start < message.count {
            let end = min(start + size, message.count)
            out.uint8(22)
            out.uint16(version)
            out.lengthPrefixed(2) { $0.append(Array(message[start..<end])) }
            start = end
        }
        return out.bytes
    }

    /// The handshake message: type 1, a 24-bit length, the ClientHello (RFC 8446 §4.1.2).
    static func message(_ contents: Contents, using rng: inout SplitMix64Generator) -> [UInt8] {
        let grease = greaseValues(using: &rng)
        var extensions = commonExtensions(grease: grease, using: &rng)
        if let name = contents.hostName {
            extensions.append((0, serverNameList([name] + (contents.secondEntryName.map { [$0] } ?? []))))
        }
        // Two GREASE extensions: an empty one and one holding a decoy name (RFC 8701 §3.1: any
        // length and contents).
        var decoy = Array(randomHostName(using: &rng).utf8)
        while decoy == contents.hostName || decoy == contents.secondEntryName || decoy == contents.secondExtensionName {
            decoy = Array(randomHostName(using: &rng).utf8)
        }
        extensions.append((grease.extensions.0, []))
        extensions.append((grease.extensions.1, serverNameList([decoy])))
        extensions.shuffle(using: &rng)
        if let second = contents.secondExtensionName, let first = extensions.firstIndex(where: { $0.type == 0 }) {
            extensions.insert((0, serverNameList([second])), at: Int.random(in: (first + 1)...extensions.count, using: &rng))
        }

        let tls12Suites: [UInt16] = [0xc02b, 0xc02f, 0xc02c, 0xc030, 0xcca9, 0xcca8, 0xc013, 0xc014, 0x009c, 0x009d, 0x002f, 0x0035]
        let suites =
            [grease.suite] + [0x1301, 0x1302, 0x1303].shuffled(using: &rng)
            + tls12Suites.shuffled(using: &rng).prefix(Int.random(in: 1...tls12Suites.count, using: &rng))
        let random = rng.bytes(32)
        let sessionID = Bool.random(using: &rng) ? rng.bytes(32) : []  // TLS 1.3 middlebox compatibility, or none

        var hello = ByteBuilder()
        hello.uint16(0x0303)  // legacy_version
        hello.append(random)
        hello.lengthPrefixed(1) { $0.append(sessionID) }
        hello.lengthPrefixed(2) { b in for suite in suites { b.uint16(suite) } }
        hello.lengthPrefixed(1) { $0.uint8(0) }  // compression: null only
        hello.lengthPrefixed(2) { b in
            for (type, data) in extensions {
                b.uint16(type)
                b.lengthPrefixed(2) { $0.append(data) }
            }
        }
        var message = ByteBuilder()
        message.uint8(1)  // client_hello
        message.lengthPrefixed(3) { $0.append(hello.bytes) }
        return message.bytes
    }

    /// The GREASE values of one hello: RFC 8701 reserves 0x0A0A, 0x1A1A, … 0xFAFA.
    struct Grease {
        var suite: UInt16
        var group: UInt16
        var version: UInt16
        var extensions: (UInt16, UInt16)
    }

    static let greaseCodes: [UInt16] = (0..<16).map { UInt16($0 << 4 | 0x0a) * 0x0101 }

    static func greaseValues(using rng: inout SplitMix64Generator) -> Grease {
        let two = greaseCodes.shuffled(using: &rng).prefix(2)
        return Grease(
            suite: greaseCodes.randomElement(using: &rng)!, group: greaseCodes.randomElement(using: &rng)!,
            version: greaseCodes.randomElement(using: &rng)!, extensions: (two.first!, two.last!))
    }

    /// Every extension but server_name and the GREASE ones, as (type, data): the ones a TLS 1.3
    /// client needs, then a random choice of the usual others.
    static func commonExtensions(grease: Grease, using rng: inout SplitMix64Generator) -> [(type: UInt16, data: [UInt8])] {
        let postQuantum = Bool.random(using: &rng)  // X25519MLKEM768 (0x11ec), as browsers send since 2024
        func build(_ body: (inout ByteBuilder) -> Void) -> [UInt8] {
            var b = ByteBuilder()
            body(&b)
            return b.bytes
        }
        let groups: [UInt16] = [grease.group] + (postQuantum ? [0x11ec] : []) + [0x001d, 0x0017, 0x0018]
        var shares: [(UInt16, [UInt8])] = [(grease.group, [0])]
        if postQuantum { shares.append((0x11ec, rng.bytes(1216))) }
        shares.append((0x001d, rng.bytes(32)))
        var out: [(type: UInt16, data: [UInt8])] = [
            (10, build { b in b.lengthPrefixed(2) { for g in groups { $0.uint16(g) } } }),  // supported_groups
            (
                13,
                build { b in
                    b.lengthPrefixed(2) { for s: UInt16 in [0x0403, 0x0804, 0x0401, 0x0503, 0x0805, 0x0501, 0x0806, 0x0601] { $0.uint16(s) } }
                }
            ),
            (43, build { b in b.lengthPrefixed(1) { for v in [grease.version, 0x0304, 0x0303] { $0.uint16(v) } } }),  // supported_versions
            (51, build { b in b.lengthPrefixed(2) { for (group, key) in shares { $0.uint16(group); $0.lengthPrefixed(2) { $0.append(key) } } } }),
            (45, [1, 1]),  // psk_key_exchange_modes: psk_dhe_ke
        ]
        let alpn = [["h2", "http/1.1"], ["http/1.1"], ["h2"]].randomElement(using: &rng)!
        let optional: [(type: UInt16, data: [UInt8])] = [
            (23, []),  // extended_master_secret
            (0xff01, [0]),  // renegotiation_info
            (11, [1, 0]),  // ec_point_formats: uncompressed
            (35, []),  // session_ticket
            (16, build { b in b.lengthPrefixed(2) { for p in alpn { $0.lengthPrefixed(1) { $0.append(Array(p.utf8)) } } } }),
            (5, [1, 0, 0, 0, 0]),  // status_request: OCSP
            (18, []),  // signed_certificate_timestamp
            (27, [2, 0, 2]),  // compress_certificate: brotli
        ]
        out += optional.filter { _ in Int.random(in: 0..<4, using: &rng) != 0 }
        if Bool.random(using: &rng) {
            out.append((21, [UInt8](repeating: 0, count: Int.random(in: 0...512, using: &rng))))  // padding: zeros
        }
        return out
    }

    /// A server_name extension's data (RFC 6066 §3): a list of host_name (type 0) entries.
    static func serverNameList(_ names: [[UInt8]]) -> [UInt8] {
        var b = ByteBuilder()
        b.lengthPrefixed(2) { list in
            for name in names {
                list.uint8(0)
                list.lengthPrefixed(2) { $0.append(name) }
            }
        }
        return b.bytes
    }

    /// A fresh DNS name: one to three labels of 1 to 16 lowercase letters, digits and inner
    /// hyphens, then a top-level label of letters (a reserved one such as `test`, or 2 to 6
    /// random letters). `x7k2q9.example`, `q-4.mz0.tz`.
    static func randomHostName(using rng: inout SplitMix64Generator) -> String {
        let letters = Array("abcdefghijklmnopqrstuvwxyz")
        let alphanumerics = letters + Array("0123456789")
        var labels: [String] = []
        for _ in 0..<Int.random(in: 1...3, using: &rng) {
            let count = Int.random(in: 1...16, using: &rng)
            var label = String((0..<count).map { _ in alphanumerics.randomElement(using: &rng)! })
            if count >= 3, Int.random(in: 0..<4, using: &rng) == 0 {
                let at = label.index(label.startIndex, offsetBy: Int.random(in: 1...(count - 2), using: &rng))
                label.replaceSubrange(at...at, with: "-")
            }
            labels.append(label)
        }
        let reserved = ["test", "example", "invalid"]
        labels.append(
            Bool.random(using: &rng)
                ? reserved.randomElement(using: &rng)!
                : String((0..<Int.random(in: 2...6, using: &rng)).map { _ in letters.randomElement(using: &rng)! }))
        return labels.joined(separator: ".")
    }
}
