/// Turning the bytes of a checks file into text, with a place for every byte that is not text.
extension ScriptSource {
    /// The bytes of a check script as text. Invalid UTF-8, a NUL, or another control character
    /// than tab, line feed, carriage return, vertical tab and form feed is an error at the line
    /// and column of its first byte (columns count characters, as in every other error), so a
    /// stray byte is as easy to find as a typo. Write `\0` or `\xHH` in a string for such a byte.
    package static func decode(_ bytes: [UInt8], file: String) throws(ScriptError) -> String {
        var line = 1
        var column = 1
        var i = 0
        var previousWasCR = false
        func fail(_ message: String) -> ScriptError {
            ScriptError(message, at: SourceLocation(file: file, line: line, column: column))
        }
        while i < bytes.count {
            let b = bytes[i]
            let length = utf8SequenceLength(bytes, at: i)
            guard length > 0 else {
                throw fail("byte 0x\(hex(b)) at offset \(i) is not UTF-8; a check script must be UTF-8 text")
            }
            if length == 1 {
                if b == 0x0A {
                    if !previousWasCR { line += 1 }
                    column = 1
                    previousWasCR = false
                    i += 1
                    continue
                }
                if b == 0x0D {
                    line += 1
                    column = 1
                    previousWasCR = true
                    i += 1
                    continue
                }
                if b == 0 {
                    throw fail("NUL byte at offset \(i); a check script is text (write `\\0` in a string for a zero byte)")
                }
                if (b < 0x20 && b != 0x09 && b != 0x0B && b != 0x0C) || b == 0x7F {
                    throw fail("control byte 0x\(hex(b)) at offset \(i); a check script is text (write `\\x\(hex(b))` in a string for this byte)")
                }
            }
            previousWasCR = false
            column += 1
            i += length
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// The length of the well-formed UTF-8 sequence at `i` (RFC 3629: no overlong forms, no
    /// surrogates, nothing above U+10FFFF), or 0 when the bytes there are not one.
    static func utf8SequenceLength(_ bytes: [UInt8], at i: Int) -> Int {
        let b0 = bytes[i]
        func continuation(_ k: Int, _ low: UInt8 = 0x80, _ high: UInt8 = 0xBF) -> Bool {
            i + k < bytes.count && bytes[i + k] >= low && bytes[i + k] <= high
        }
        switch b0 {
        case 0x00...0x7F: return 1
        case 0xC2...0xDF: return continuation(1) ? 2 : 0
        case 0xE0: return continuation(1, 0xA0) && continuation(2) ? 3 : 0
        case 0xE1...0xEC, 0xEE...0xEF: return continuation(1) && continuation(2) ? 3 : 0
        case 0xED: return continuation(1, 0x80, 0x9F) && continuation(2) ? 3 : 0
        case 0xF0: return continuation(1, 0x90) && continuation(2) && continuation(3) ? 4 : 0
        case 0xF1...0xF3: return continuation(1) && continuation(2) && continuation(3) ? 4 : 0
        case 0xF4: return continuation(1, 0x80, 0x8F) && continuation(2) && continuation(3) ? 4 : 0
        default: return 0
        }
    }

    private static func hex(_ b: UInt8) -> String {
        let digits = Array("0123456789ABCDEF")
        return String([digits[Int(b >> 4)], digits[Int(b & 0xF)]])
    }
}

extension CheckScript {
    /// Parses a check script from the bytes of its file: ``parse(source:file:)`` after
    /// ``ScriptSource/decode(_:file:)`` has checked that they are text.
    public static func parse(bytes: [UInt8], file: String) throws(ScriptError) -> CheckScript {
        try parse(source: ScriptSource.decode(bytes, file: file), file: file)
    }
}
