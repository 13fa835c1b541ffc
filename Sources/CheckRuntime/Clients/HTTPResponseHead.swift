import CheckResults
import Foundation

/// An HTTP/1.1 response head as a server sent it (status line and headers, up to the blank
/// line), for the WebSocket upgrade and `expect NAME http status N`. Bounded: a head longer
/// than ``maximumSize`` is refused before more is awaited. The server's bytes are untrusted:
/// they are kept as text only for comparison and shown through `Bytes.quoted`.
struct HTTPResponseHead: Equatable {
    /// The most bytes of head the checker waits for (the lesson's own cap on requests).
    static let maximumSize = 8192

    var status: Int
    var reason: String
    /// In order, names as sent.
    var headers: [(name: String, value: String)]
    /// The head's size on the wire, the blank line included.
    var size: Int

    static func == (a: Self, b: Self) -> Bool {
        a.status == b.status && a.reason == b.reason && a.size == b.size
            && a.headers.map { [$0.name, $0.value] } == b.headers.map { [$0.name, $0.value] }
    }

    enum Scan: Equatable {
        case incomplete
        case invalid(String)
        case head(HTTPResponseHead)
    }

    /// The first value of header `name` (compared without case), trimmed.
    func value(_ name: String) -> String? {
        headers.first { $0.name.lowercased() == name.lowercased() }?.value
    }

    /// Whether header `name`'s comma-separated list holds `token` (compared without case).
    func has(_ name: String, token: String) -> Bool {
        headers.contains { header in
            header.name.lowercased() == name.lowercased()
                && header.value.split(separator: ",").contains { $0.trimmingWhitespace().lowercased() == token.lowercased() }
        }
    }

    /// The head at the start of `bytes` (give it up to `maximumSize + 1` bytes).
    static func scan(_ bytes: [UInt8]) -> Scan {
        guard let end = endOfHead(bytes) else {
            return bytes.count > maximumSize ? .invalid("no end of the response head (a blank line) within \(maximumSize) bytes") : .incomplete
        }
        let text = String(decoding: bytes[..<end], as: UTF8.self)
        var lines = text.components(separatedBy: "\r\n")
        let statusLine = lines.removeFirst()
        let parts = statusLine.split(separator: " ", maxSplits: 2, omittingEmptySubsequences: false)
        guard parts.count >= 2, parts[0].hasPrefix("HTTP/1."), parts[1].count == 3, let status = Int(parts[1]) else {
            return .invalid("the status line is not `HTTP/1.1 NNN reason`: \(Bytes.quoted(Array(statusLine.utf8), limit: 80))")
        }
        var headers: [(String, String)] = []
        for line in lines where !line.isEmpty {
            guard let colon = line.firstIndex(of: ":") else {
                return .invalid("a header line has no colon: \(Bytes.quoted(Array(line.utf8), limit: 80))")
            }
            headers.append((String(line[..<colon]), String(line[line.index(after: colon)...]).trimmingWhitespace()))
        }
        return .head(HTTPResponseHead(status: status, reason: parts.count > 2 ? String(parts[2]) : "", headers: headers, size: end + 4))
    }

    /// The offset of the `\r\n\r\n` that ends the head, if it is there.
    private static func endOfHead(_ bytes: [UInt8]) -> Int? {
        guard bytes.count >= 4 else { return nil }
        for i in 0...(bytes.count - 4) where bytes[i] == 13 && bytes[i + 1] == 10 && bytes[i + 2] == 13 && bytes[i + 3] == 10 {
            return i
        }
        return nil
    }

    /// `HTTP/1.1 404 Not Found`, escaped.
    var statusLine: String { "\(status) " + String(Bytes.quoted(Array(reason.utf8), limit: 60).dropFirst().dropLast()) }
}

extension StringProtocol {
    func trimmingWhitespace() -> String {
        var s = Substring(self)
        while let f = s.first, f == " " || f == "\t" { s = s.dropFirst() }
        while let l = s.last, l == " " || l == "\t" { s = s.dropLast() }
        return String(s)
    }
}
