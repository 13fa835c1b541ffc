/// Decoding of `"…"` strings and `hex "…"` byte strings.
///
/// Escapes: `\n` `\r` `\t` `\\` `\"` `\0` and `\xHH` (one byte, two hex digits). Any other
/// character stands for its UTF-8 encoding, so a string is a sequence of bytes, not text.
enum StringLiteral {
    /// The bytes of a string token (`raw` includes both quotes). `column` is the token's column.
    static func bytes(_ raw: [Unicode.Scalar], column: Int, line: Int, file: String) throws(ScriptError) -> [UInt8] {
        func fail(_ message: String, _ offset: Int) -> ScriptError {
            ScriptError(message, at: SourceLocation(file: file, line: line, column: column + offset))
        }
        var out: [UInt8] = []
        var i = 1
        let end = raw.count - 1
        while i < end {
            let c = raw[i]
            if c != "\\" {
                out.append(contentsOf: Array(String(c).utf8))
                i += 1
                continue
            }
            guard i + 1 < end else { throw fail("unfinished escape at the end of the string", i) }
            let e = raw[i + 1]
            switch e {
            case "n": out.append(0x0A)
            case "r": out.append(0x0D)
            case "t": out.append(0x09)
            case "\\": out.append(0x5C)
            case "\"": out.append(0x22)
            case "0": out.append(0x00)
            case "x":
                guard i + 3 < end,
                    let high = hexValue(raw[i + 2]), let low = hexValue(raw[i + 3])
                else {
                    throw fail("`\\x` must be followed by two hex digits, as in `\\x1b`", i)
                }
                out.append(high << 4 | low)
                i += 4
                continue
            default:
                throw fail("unknown escape `\\\(e)` in string; expected \\n, \\r, \\t, \\\\, \\\", \\0 or \\xHH", i)
            }
            i += 2
        }
        return out
    }

    /// The text of a string token, which must be valid UTF-8 once escapes are decoded.
    static func text(_ raw: [Unicode.Scalar], column: Int, line: Int, file: String, what: String) throws(ScriptError) -> String {
        let decoded = try bytes(raw, column: column, line: line, file: file)
        guard let text = String(validating: decoded, as: UTF8.self) else {
            throw ScriptError(
                "\(what) must be text, but its escapes make invalid UTF-8",
                at: SourceLocation(file: file, line: line, column: column))
        }
        return text
    }

    /// The bytes written as hex digit pairs inside a string token: `"16 03 01 00 2a"`.
    /// Blanks between pairs are optional; nothing else is allowed.
    static func hexBytes(_ raw: [Unicode.Scalar], column: Int, line: Int, file: String) throws(ScriptError) -> [UInt8] {
        func fail(_ message: String, _ offset: Int) -> ScriptError {
            ScriptError(message, at: SourceLocation(file: file, line: line, column: column + offset))
        }
        var out: [UInt8] = []
        var pending: (value: UInt8, offset: Int)? = nil
        for offset in 1..<max(1, raw.count - 1) {
            let c = raw[offset]
            if c == " " || c == "\t" {
                if let p = pending { throw fail("hex digit `\(raw[p.offset])` has no partner; write bytes as two digits, as in `0a`", p.offset) }
                continue
            }
            guard let v = hexValue(c) else {
                throw fail("`\(c)` is not a hex digit; expected pairs of 0-9 and a-f, as in \"16 03 01\"", offset)
            }
            if let p = pending {
                out.append(p.value << 4 | v)
                pending = nil
            } else {
                pending = (v, offset)
            }
        }
        if let p = pending { throw fail("hex digit `\(raw[p.offset])` has no partner; write bytes as two digits, as in `0a`", p.offset) }
        guard !out.isEmpty else { throw fail("empty hex string; expected pairs of hex digits, as in \"16 03 01\"", 0) }
        return out
    }

    static func hexValue(_ c: Unicode.Scalar) -> UInt8? {
        switch c {
        case "0"..."9": return UInt8(c.value - 48)
        case "a"..."f": return UInt8(c.value - 87)
        case "A"..."F": return UInt8(c.value - 55)
        default: return nil
        }
    }
}
