/// `send NAME hello …`: a ClientHello built afresh each time the step runs.
import CheckLanguage
import CheckResults
extension CheckExecution {
    /// The bytes of `hello` and how the transcript shows them. Each `random as N` gets a fresh
    /// name, bound to N (`{N.name}` in later patterns) before anything is sent.
    func helloBytes(_ hello: HelloPayload) -> (bytes: [UInt8], description: String) {
        var rng = SplitMix64Generator(seed: UInt64.random(in: .min ... .max))
        var made: Set<String> = []
        var shown: [String] = []

        /// The name as generated (or written), bound when it is random, and shown.
        func resolve(_ name: HelloPayload.Name, _ what: String) -> String {
            switch name {
            case .literal(let host):
                shown.append("\(what) \(host)")
                return host
            case .random(let binding):
                var host = ClientHelloBuilder.randomHostName(using: &rng)
                while made.contains(host) { host = ClientHelloBuilder.randomHostName(using: &rng) }
                made.insert(host)
                serverNames.withLock { $0[binding] = host }
                shown.append("\(what) \(host) (`\(binding)`)")
                return host
            }
        }

        var contents = ClientHelloBuilder.Contents(recordVersion: hello.recordVersion, recordSize: hello.recordSize)
        if let name = hello.serverName {
            var bytes = Array(resolve(name, "sni").utf8)
            if hello.nulInName {
                let decoy = Array(ClientHelloBuilder.randomHostName(using: &rng).utf8)
                bytes += [0] + decoy
                shown.append("sent as " + Bytes.quoted(bytes))
            }
            if hello.trailingDot {
                bytes.append(UInt8(ascii: "."))
                if !hello.nulInName { shown.append("sent with a trailing dot") }
            }
            contents.hostName = bytes
        }
        contents.secondEntryName = hello.secondEntry.map { Array(resolve($0, "second host_name").utf8) }
        contents.secondExtensionName = hello.secondExtension.map { Array(resolve($0, "second server_name extension").utf8) }
        if hello.serverName == nil { shown.append("no sni") }
        let message = ClientHelloBuilder.message(contents, using: &rng)
        let bytes = ClientHelloBuilder.frame(message, version: contents.recordVersion, recordSize: contents.recordSize)
        let records = (message.count + contents.recordSize - 1) / contents.recordSize
        if records > 1 { shown.append("in \(records) records of at most \(contents.recordSize) bytes") }
        if hello.recordVersion != 0x0301 {
            shown.append("record version " + Bytes.hexWords([UInt8(hello.recordVersion >> 8), UInt8(hello.recordVersion & 0xff)], limit: 2))
        }
        return (bytes, "a fresh hello, " + shown.joined(separator: ", "))
    }
}
