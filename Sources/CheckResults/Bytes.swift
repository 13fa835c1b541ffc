import Foundation

/// How bytes a program sent are shown in a transcript, a message or a hex dump: as text with
/// escapes when they read as text, with every control and bidi character escaped.
package enum Bytes {
    /// Whether the bytes read well as text: UTF-8 without control characters other than
    /// newline, carriage return and tab.
    package static func isText(_ bytes: some Collection<UInt8>) -> Bool {
        guard String(validating: Array(bytes), as: UTF8.self) != nil else { return false }
        return bytes.allSatisfy { $0 >= 0x20 && $0 != 0x7f || $0 == 10 || $0 == 13 || $0 == 9 }
    }

    /// `"hi\n"`: the bytes as a quoted string with escapes, cut after `limit` bytes.
    package static func quoted(_ bytes: some Collection<UInt8>, limit: Int = 160) -> String {
        let all = Array(bytes)
        let shown = all.prefix(limit)
        var out = "\""
        out += escapedBody(Array(shown))
        out += "\""
        if all.count > limit { out += " … (\(all.count - limit) more bytes)" }
        return out
    }

    /// The escaped text without quotes. Printable ASCII and valid UTF-8 stay as they are, except
    /// what ``UntrustedText`` escapes (C1 controls, bidi overrides, …).
    static func escapedBody(_ bytes: [UInt8]) -> String {
        var out = ""
        let text = String(decoding: bytes, as: UTF8.self)
        let valid = String(validating: bytes, as: UTF8.self) != nil
        if valid {
            for scalar in text.unicodeScalars { out += escape(scalar) }
        } else {
            for b in bytes { out += b < 0x80 ? escape(Unicode.Scalar(b)) : "\\x" + hex(b) }
        }
        return out
    }

    private static func escape(_ s: Unicode.Scalar) -> String {
        switch s {
        case "\n": "\\n"
        case "\r": "\\r"
        case "\t": "\\t"
        case "\\": "\\\\"
        case "\"": "\\\""
        case "\0": "\\0"
        // Other controls, C1, bidi overrides: the one rule for untrusted text.
        default: UntrustedText.escape(s) ?? String(s)
        }
    }

    package static func hex(_ b: UInt8) -> String {
        let digits = Array("0123456789abcdef")
        return String([digits[Int(b >> 4)], digits[Int(b & 15)]])
    }

    /// `1 MiB`, `64 KiB`, `65536 bytes`, `1 byte`.
    package static func size(_ count: Int) -> String {
        if count == 1 { return "1 byte" }
        if count >= 1 << 20, count % (1 << 20) == 0 { return "\(count >> 20) MiB" }
        if count >= 1 << 10, count % (1 << 10) == 0 { return "\(count >> 10) KiB" }
        return "\(count) bytes"
    }

    /// Hex and ASCII side by side, 16 bytes a row, for `rows` rows from the row holding `from`.
    /// `caret` marks a byte with `^^` under it.
    static func hexDump(_ bytes: [UInt8], from: Int = 0, rows: Int = 4, caret: Int? = nil) -> [String] {
        var out: [String] = []
        var row = (from / 16) * 16
        var shown = 0
        while row < bytes.count, shown < rows {
            let slice = bytes[row..<min(row + 16, bytes.count)]
            var hexPart = ""
            var ascii = ""
            for (i, b) in slice.enumerated() {
                hexPart += hex(b) + (i == 7 ? "  " : " ")
                ascii.append(b >= 0x20 && b < 0x7f ? Character(Unicode.Scalar(b)) : ".")
            }
            let offset = String(row, radix: 16)
            let prefix = String(repeating: "0", count: max(0, 8 - offset.count)) + offset + "  "
            hexPart += String(repeating: " ", count: max(0, 49 - hexPart.count))
            out.append(prefix + hexPart + " |" + ascii + "|")
            if let caret, caret >= row, caret < row + 16 {
                let column = caret - row
                let hexColumn = prefix.count + column * 3 + (column >= 8 ? 1 : 0)
                let asciiColumn = prefix.count + 49 + 2 + column
                var marker = Array(repeating: Character(" "), count: asciiColumn + 1)
                marker[hexColumn] = "^"
                marker[hexColumn + 1] = "^"
                marker[asciiColumn] = "^"
                out.append(String(marker))
            }
            row += 16
            shown += 1
        }
        if row < bytes.count { out.append("… (\(bytes.count - row) more bytes)") }
        return out
    }

    /// Lines that show expected and received bytes with a caret under the first difference at
    /// `offset`: quoted text when both read as text, hex and ASCII otherwise.
    package static func diff(expected: [UInt8], received: [UInt8], offset: Int) -> [String] {
        if isText(expected), isText(received) {
            // Show a window around the difference so that long data stays readable.
            let start = max(0, offset - 40)
            let e = Array(expected[min(start, expected.count)...].prefix(120))
            let r = Array(received[min(start, received.count)...].prefix(120))
            let lead = start > 0 ? "…" : ""
            let eText = "expected: " + lead + quoted(e, limit: 120)
            let rText = "received: " + lead + quoted(r, limit: 120)
            let column =
                "received: ".count + lead.count + 1 + escapedBody(Array(received[min(start, received.count)..<min(offset, received.count)])).count
            return [eText, rText, String(repeating: " ", count: column) + "^ first difference at byte \(offset)"]
        }
        var lines = ["expected (from byte \((offset / 16) * 16)):"]
        lines += hexDump(expected, from: offset, rows: 2, caret: offset).map { "  " + $0 }
        lines.append("received (from byte \((offset / 16) * 16)):")
        lines +=
            received.count > (offset / 16) * 16
            ? hexDump(received, from: offset, rows: 2, caret: offset).map { "  " + $0 }
            : ["  (nothing)"]
        return lines
    }
}
