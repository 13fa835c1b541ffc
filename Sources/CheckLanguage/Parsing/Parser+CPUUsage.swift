/// `expect server cpu-usage OP PERCENT for T`.
extension ScriptParser {
    /// After `cpu-usage`: `OP PERCENT for T`.
    func cpuUsage(_ cursor: inout Cursor) throws(ScriptError) -> CPUUsage {
        guard let t = cursor.peek, t.kind == .symbol, let op = Comparison.Operator(rawValue: t.text) else {
            throw cursor.unexpected("a comparison after `cpu-usage`: <, <=, ==, !=, >= or >, as in `cpu-usage <= 5% for 2s`")
        }
        _ = cursor.next()
        let percent = try self.percent(&cursor)
        var window: Duration?
        try optionLoop(&cursor, ["for"]) { (_, cursor) throws(ScriptError) in
            let token = cursor.peek
            let duration = try cursor.duration(after: "for")
            guard duration >= CPUUsage.minimumWindow else {
                throw ScriptError(
                    "`for \(duration.scriptText)` is too short to measure CPU use (the kernel counts it in ticks of 10ms); "
                        + "expected a window of at least \(CPUUsage.minimumWindow.scriptText), such as `for 2s`",
                    at: cursor.location(of: token))
            }
            window = duration
        }
        guard let window else {
            throw cursor.unexpected(
                "`for T` after the percentage: the window to measure over, as in `cpu-usage \(op.rawValue) \(CPUUsage.text(percent)) for 2s`")
        }
        return CPUUsage(op: op, percent: percent, window: window)
    }

    /// `5%`, `0.5%`, `150%`: a percentage of one core.
    func percent(_ cursor: inout Cursor) throws(ScriptError) -> Double {
        let what = "a percentage of one core after the comparison, such as 5% or 0.5%"
        guard let t = cursor.peek, t.kind == .number else { throw cursor.unexpected(what) }
        let location = cursor.location(of: t)
        let text = t.text
        guard text.hasSuffix("%") else {
            throw ScriptError("`\(Token.abbreviate(text))` is not a percentage; expected \(what) (write the `%`)", at: location)
        }
        let digits = text.dropLast()
        let parts = digits.split(separator: ".", omittingEmptySubsequences: false)
        guard !digits.isEmpty, parts.count <= 2, parts.allSatisfy({ !$0.isEmpty && $0.allSatisfy(\.isASCIIDigitCharacter) }),
            parts[0].count <= 6, parts.count == 1 || parts[1].count <= 3, let value = Double(String(digits))
        else {
            throw ScriptError("`\(Token.abbreviate(text))` is not a percentage; expected \(what)", at: location)
        }
        guard value <= CPUUsage.maximumPercent else {
            throw ScriptError(
                "`\(text)` is too large; expected at most \(CPUUsage.text(CPUUsage.maximumPercent)) (100 cores, busy all the time)", at: location)
        }
        _ = cursor.next()
        return value
    }
}
