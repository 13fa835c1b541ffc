/// Integers, durations and sizes. All three start with a digit; the unit decides which.
///
/// - integer: `42` (no sign, no separators)
/// - duration: a whole or decimal number and one of `us`, `ms`, `s`, `m`: `100us`, `300ms`, `1.5s`, `1m`
/// - size: a whole or decimal number of bytes, optionally with `B`, `KiB`, `MiB` or `GiB`
///   (powers of 1024): `512`, `64KiB`, `1.5MiB`
enum NumberLiteral {
    static let durationUnits: [(name: String, nanoseconds: Int64)] = [
        ("us", 1_000), ("ms", 1_000_000), ("s", 1_000_000_000), ("m", 60_000_000_000),
    ]
    static let sizeUnits: [(name: String, bytes: Int64)] = [
        ("B", 1), ("KiB", 1 << 10), ("MiB", 1 << 20), ("GiB", 1 << 30),
    ]
    static let durationUnitList = "us, ms, s or m"
    static let sizeUnitList = "B, KiB, MiB or GiB"

    /// A byte count as a script writes it, in the largest unit that divides it: `256MiB`,
    /// `1024GiB`, `1000`.
    static func sizeText(_ bytes: Int) -> String {
        for (name, size) in sizeUnits.reversed() where size > 1 && bytes != 0 && Int64(bytes) % size == 0 {
            return "\(Int64(bytes) / size)\(name)"
        }
        return "\(bytes)"
    }

    /// Number part and unit part of a numeric token: `"1.5"`, `"s"`.
    static func split(_ text: String) -> (number: String, unit: String) {
        let scalars = Array(text.unicodeScalars)
        var i = 0
        while i < scalars.count, Lexer.isDigit(scalars[i]) || scalars[i] == "." { i += 1 }
        return (String(String.UnicodeScalarView(scalars[0..<i])), String(String.UnicodeScalarView(scalars[i...])))
    }

    /// `value × scale` exactly, where value is written in decimal (`"1.5"`), or nil when the
    /// number is malformed, overflows, or is finer than one unit of the result.
    static func scaled(_ number: String, by scale: Int64) -> Int64?? {
        let parts = number.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count <= 2, let whole = parts.first, !whole.isEmpty,
            whole.allSatisfy(\.isASCIIDigitCharacter)
        else { return .some(nil) }
        var result: Int64 = 0
        for d in whole.unicodeScalars {
            let (m, o1) = result.multipliedReportingOverflow(by: 10)
            let (a, o2) = m.addingReportingOverflow(Int64(d.value - 48))
            if o1 || o2 { return nil }
            result = a
        }
        let (wholeScaled, o) = result.multipliedReportingOverflow(by: scale)
        if o { return nil }
        guard parts.count == 2 else { return .some(wholeScaled) }
        let fraction = parts[1]
        guard !fraction.isEmpty, fraction.allSatisfy(\.isASCIIDigitCharacter) else { return .some(nil) }
        // fraction × scale / 10^digits must be whole.
        var numerator: Int64 = 0
        var denominator: Int64 = 1
        for d in fraction.unicodeScalars {
            let (m, o1) = numerator.multipliedReportingOverflow(by: 10)
            let (a, o2) = m.addingReportingOverflow(Int64(d.value - 48))
            let (dd, o3) = denominator.multipliedReportingOverflow(by: 10)
            if o1 || o2 || o3 { return .some(nil) }
            numerator = a
            denominator = dd
        }
        let (scaledNumerator, o4) = numerator.multipliedReportingOverflow(by: scale)
        if o4 || scaledNumerator % denominator != 0 { return .some(nil) }
        let (sum, o5) = wholeScaled.addingReportingOverflow(scaledNumerator / denominator)
        return o5 ? nil : .some(sum)
    }
}

extension Character {
    var isASCIIDigitCharacter: Bool { isASCII && isNumber }
}

extension Token {
    /// A non-negative integer literal, at most `maximum`.
    func integer(file: String, line: Int, what: String, maximum: Int) throws(ScriptError) -> Int {
        let location = SourceLocation(file: file, line: line, column: column)
        guard kind == .number else {
            throw ScriptError("expected \(what) (a whole number); found \(quoted)", at: location)
        }
        let t = text
        guard t.allSatisfy(\.isASCIIDigitCharacter) else {
            throw ScriptError("expected \(what) (a whole number); found `\(Token.abbreviate(t))`", at: location)
        }
        guard let value = Int(t), value <= maximum else {
            throw ScriptError("\(what) `\(Token.abbreviate(t))` is too large; expected at most \(maximum)", at: location)
        }
        return value
    }

    /// A duration literal such as `300ms` or `1.5s`.
    func duration(file: String, line: Int, after keyword: String) throws(ScriptError) -> Duration {
        let location = SourceLocation(file: file, line: line, column: column)
        guard kind == .number else {
            throw ScriptError("expected a duration after `\(keyword)` (such as 500ms or 2s); found \(quoted)", at: location)
        }
        let t = text
        let (number, unit) = NumberLiteral.split(t)
        if unit.isEmpty {
            throw ScriptError(
                "missing unit in duration `\(t)`; expected a number followed by \(NumberLiteral.durationUnitList) (such as \(t)ms or \(t)s)",
                at: location)
        }
        guard let scale = NumberLiteral.durationUnits.first(where: { $0.name == unit })?.nanoseconds else {
            throw ScriptError(
                "unknown duration unit \"\(unit)\" in \"\(Token.abbreviate(t))\"; expected \(NumberLiteral.durationUnitList)", at: location)
        }
        switch NumberLiteral.scaled(number, by: scale) {
        case .none:
            throw ScriptError("duration `\(Token.abbreviate(t))` is too large", at: location)
        case .some(.none):
            throw ScriptError(
                "malformed duration `\(Token.abbreviate(t))`; expected a number such as 300ms, 1.5s or 2m (at most nanosecond precision)",
                at: location)
        case .some(.some(let nanoseconds)):
            let value = Duration.nanoseconds(nanoseconds)
            guard value <= ScriptLimits.duration else {
                throw ScriptError("duration `\(Token.abbreviate(t))` is too long; expected at most \(ScriptLimits.durationText)", at: location)
            }
            return value
        }
    }

    /// A size in bytes: `4096`, `64KiB`, `1.5MiB`.
    func size(file: String, line: Int, after keyword: String) throws(ScriptError) -> Int {
        let location = SourceLocation(file: file, line: line, column: column)
        guard kind == .number else {
            throw ScriptError("expected a size after `\(keyword)` (such as 1024, 64KiB or 1MiB); found \(quoted)", at: location)
        }
        let t = text
        let (number, unit) = NumberLiteral.split(t)
        let scale: Int64
        if unit.isEmpty {
            scale = 1
        } else if let found = NumberLiteral.sizeUnits.first(where: { $0.name == unit }) {
            scale = found.bytes
        } else {
            var hint = ""
            let suggestions: [Character: String] = ["k": "KiB", "m": "MiB", "g": "GiB", "b": "B"]
            if let first = unit.lowercased().first, let near = suggestions[first] {
                hint = " (did you mean \(near)? sizes count in powers of 1024)"
            }
            throw ScriptError(
                "unknown size unit \"\(unit)\" in \"\(Token.abbreviate(t))\"; expected \(NumberLiteral.sizeUnitList)\(hint)", at: location)
        }
        switch NumberLiteral.scaled(number, by: scale) {
        case .none:
            throw ScriptError("size `\(Token.abbreviate(t))` is too large", at: location)
        case .some(.none):
            throw ScriptError("malformed size `\(Token.abbreviate(t))`; expected a whole number of bytes, such as 512, 64KiB or 1.5MiB", at: location)
        case .some(.some(let bytes)):
            guard let value = Int(exactly: bytes) else {
                throw ScriptError("size `\(Token.abbreviate(t))` is too large", at: location)
            }
            return value
        }
    }
}

extension Duration {
    /// The duration as a script would write it: `250ms`, `2s`, `1.5s`, `1m`, `100us`.
    public var scriptText: String {
        let (seconds, attoseconds) = components
        let (whole, overflow1) = seconds.multipliedReportingOverflow(by: 1_000_000_000)
        let (nanoseconds, overflow2) = whole.addingReportingOverflow(attoseconds / 1_000_000_000)
        if overflow1 || overflow2 || nanoseconds < 0 { return "\(self)" }
        if nanoseconds == 0 { return "0s" }
        let units: [(String, Int64)] = [("m", 60_000_000_000), ("s", 1_000_000_000), ("ms", 1_000_000), ("us", 1_000)]
        for (name, size) in units where nanoseconds % size == 0 {
            return "\(nanoseconds / size)\(name)"
        }
        // A decimal in the largest unit that is not more than the value.
        for (name, size) in units where nanoseconds >= size || name == "us" {
            var fraction = String(nanoseconds % size)
            let digits = String(size).count - 1
            fraction = String(repeating: "0", count: max(0, digits - fraction.count)) + fraction
            while fraction.hasSuffix("0") { fraction.removeLast() }
            return "\(nanoseconds / size).\(fraction)\(name)"
        }
        return "\(nanoseconds)ns"
    }
}
