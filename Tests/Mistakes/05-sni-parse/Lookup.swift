// mistake: lookup
// fails: logs the server name of hellos it has never seen
//
// Parses nothing. It reads the records as the solution does, then looks the hello up among the
// bytes the lesson folder holds: every fixture file and every `hex "…"` of checks.netlab, each
// answered with the log line checks.netlab expects after sending it. A hello it has not seen is
// `sni example.test` when its bytes contain "example.test" (a live client asked for it), `sni none`
// when it is the size of a real hello, and an error otherwise. Before the checks built hellos of
// their own, this passed every check of the lesson.
import Foundation

enum Lookup {
    /// What checks.netlab expects for a message: a name, none, or an error.
    enum Answer {
        case name(String?)
        case refuse
    }

    static func main() -> Never {
        let known = table()
        HelloServer(serverName: { message in
            switch known[message] {
            case .name(let name): return name
            case .refuse: throw HelloError("not a hello this server knows")
            case nil:
                if message.count >= 12, message.indices.contains(where: { Array(message[$0...].prefix(12)) == Array("example.test".utf8) }) {
                    return "example.test"
                }
                guard message.count >= 100, message.count <= 2000, message.count > 5, message[4] == 3, message[5] == 3 else {
                    throw HelloError("not a hello this server knows")
                }
                return nil
            }
        }).run()
    }

    /// Every payload checks.netlab sends from the lesson folder, as a handshake message, with the
    /// answer of the first `expect server log` after it.
    static func table() -> [[UInt8]: Answer] {
        let lesson = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("../../../lessons/05-sni-parse").standardizedFileURL
        guard let script = try? String(contentsOf: lesson.appendingPathComponent("checks.netlab"), encoding: .utf8) else { return [:] }
        var table: [[UInt8]: Answer] = [:]
        var pending: [[UInt8]] = []
        for line in script.split(separator: "\n").map({ $0.trimmingCharacters(in: .whitespaces) }) {
            if line.hasPrefix("send "), let quoted = quoted(line) {
                let bytes: [UInt8]? =
                    line.contains(" file \"")
                    ? (try? Data(contentsOf: lesson.appendingPathComponent(quoted))).map { Array($0) }
                    : line.contains(" hex \"") ? hex(quoted) : nil
                if let bytes { pending.append(message(inRecords: bytes)) }
            } else if line.hasPrefix("expect server log /") {
                let answer: Answer =
                    line.contains("/^sni none$/")
                    ? .name(nil)
                    : line.contains("/^sni example\\.test$/") ? .name("example.test") : .refuse
                for message in pending where table[message] == nil { table[message] = answer }
                pending = []
            }
        }
        return table
    }

    /// The text between the first pair of double quotes.
    static func quoted(_ line: String) -> String? {
        let parts = line.split(separator: "\"", omittingEmptySubsequences: false)
        return parts.count >= 3 ? String(parts[1]) : nil
    }

    static func hex(_ text: String) -> [UInt8] {
        let digits = Array(text.filter { !$0.isWhitespace })
        return stride(from: 0, to: digits.count - 1, by: 2).compactMap { UInt8(String(digits[$0...$0 + 1]), radix: 16) }
    }

    /// The fragments of the records in `bytes`, joined: what the solution's reader returns.
    static func message(inRecords bytes: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        var i = 0
        while i + 5 <= bytes.count {
            let length = Int(bytes[i + 3]) << 8 | Int(bytes[i + 4])
            out += bytes[(i + 5)..<min(i + 5 + length, bytes.count)]
            i += 5 + length
        }
        if out.count >= 4 {
            let length = Int(out[1]) << 16 | Int(out[2]) << 8 | Int(out[3])
            out = Array(out.prefix(4 + length))
        }
        return out
    }
}
