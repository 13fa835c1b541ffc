/// Text that came from a learner's program or a student's file, made safe to show: in a
/// terminal, in a file someone will `cat`, in JUnit XML, in HTML.
///
/// Every control character is written as a visible escape, so that a program cannot clear the
/// screen (`ESC[2J`), set the window title (OSC 0), write to the clipboard (OSC 52), move the
/// cursor back over "✓ all checks passed" with a bare CR or backspaces, or reorder the text
/// around it with Unicode bidi overrides. This is the one place that decides what is escaped
/// and how; `Bytes.quoted` (bytes in transcripts), `CheckPrinter`, `JUnitXML`, `ResultsJSON`
/// and `ClassReport` all call it.
///
/// | character                                   | shown as                    |
/// |---------------------------------------------|-----------------------------|
/// | newline, CR, tab                            | `\n`, `\r`, `\t`            |
/// | other C0 controls, DEL (ESC, BEL, BS, NUL…) | `\x1b`, `\x07`, `\x08`, `\x00`, `\x7f` |
/// | C1 controls U+0080–U+009F (CSI is U+009B)   | `\u{9b}`                    |
/// | bidi controls: U+061C, U+200E, U+200F, U+202A–U+202E, U+2066–U+2069 | `\u{202e}` |
/// | line and paragraph separators U+2028, U+2029 | `\u{2028}`                 |
/// | non-characters U+FFFE, U+FFFF (not allowed in XML) | `\u{fffe}`           |
///
/// `\xNN` is the form LessonKit's `Log` and netlab's transcripts already use for bytes; the
/// `\u{…}` form marks a Unicode scalar (as in Swift), so that it is not mistaken for a byte.
/// A backslash is left alone: escaping it would double the escapes netlab writes itself, and
/// a learner who prints `\x1b` literally only fools the eye, not the terminal. Escaping is
/// idempotent, so text may safely pass through it more than once.
public enum UntrustedText {
    /// The visible escape for `scalar`, or nil when it can be shown as it is.
    public static func escape(_ scalar: Unicode.Scalar) -> String? {
        switch scalar.value {
        case 0x0A: return "\\n"
        case 0x0D: return "\\r"
        case 0x09: return "\\t"
        case 0x00..<0x20, 0x7F:
            let hex = String(scalar.value, radix: 16)
            return "\\x" + (hex.count < 2 ? "0" + hex : hex)
        case 0x80...0x9F, 0x061C, 0x200E, 0x200F, 0x202A...0x202E, 0x2066...0x2069, 0x2028, 0x2029, 0xFFFE, 0xFFFF:
            return "\\u{" + String(scalar.value, radix: 16) + "}"
        default:
            return nil
        }
    }

    /// `text` with every character that ``escape(_:)`` names escaped. With `multiline`, newlines
    /// and tabs are kept (a transcript, a message of several lines); without it, the result is
    /// always one line (a name in a table, an XML attribute).
    public static func escaped(_ text: String, multiline: Bool = false) -> String {
        // Most text needs nothing: return it without copying.
        guard text.unicodeScalars.contains(where: { needsEscape($0, multiline: multiline) }) else { return text }
        var out = ""
        out.reserveCapacity(text.utf8.count + 16)
        // Unicode scalars, not Characters: "\r\n" is one Character and would slip through.
        for scalar in text.unicodeScalars {
            if needsEscape(scalar, multiline: multiline), let e = escape(scalar) {
                out += e
            } else {
                out.unicodeScalars.append(scalar)
            }
        }
        return out
    }

    /// Whether `text` holds nothing that ``escaped(_:multiline:)`` would change.
    public static func isSafe(_ text: String, multiline: Bool = false) -> Bool {
        !text.unicodeScalars.contains { needsEscape($0, multiline: multiline) }
    }

    private static func needsEscape(_ scalar: Unicode.Scalar, multiline: Bool) -> Bool {
        if multiline, scalar == "\n" || scalar == "\t" { return false }
        return escape(scalar) != nil
    }
}

extension CheckResult {
    /// The result with every text that can hold the program's output (name, message,
    /// transcript, hint, location) passed through ``UntrustedText``: what the runtime hands out.
    package func escapingUntrustedText() -> CheckResult {
        var r = self
        r.name = UntrustedText.escaped(name)
        r.message = message.map { UntrustedText.escaped($0, multiline: true) }
        r.transcript = UntrustedText.escaped(transcript, multiline: true)
        r.hint = hint.map { UntrustedText.escaped($0, multiline: true) }
        r.location = UntrustedText.escaped(location)
        return r
    }
}
