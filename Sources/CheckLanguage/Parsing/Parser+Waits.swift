/// `expect UP wait N OP EXPR [within T]` and `expect UP waits backoff FIRST cap CAP jitter MODE [within T]`.
extension ScriptParser {
    /// The most connections a `wait N` may name.
    static let maxWaitIndex = 10_000

    func waitExpectation(_ cursor: inout Cursor, upstream: String) throws(ScriptError) -> WaitExpectation {
        if cursor.accept("wait") {
            let index = try cursor.integer(
                after: "wait", what: "which wait, from 1 (wait 1 is the pause before connection 2)", minimum: 1,
                maximum: Self.maxWaitIndex)
            let comparison = try comparison(&cursor, quantity: .duration, subject: "wait \(index)")
            var within: Duration?
            try optionLoop(&cursor, ["within"]) { (_, cursor) throws(ScriptError) in
                within = try cursor.duration(after: "within")
            }
            return .one(index: index, comparison, within: within)
        }
        _ = cursor.accept("waits")
        try cursor.expectWord("backoff", "after `waits`, as in `expect \(upstream) waits backoff 100ms cap 1s jitter equal`")
        let firstLocation = cursor.here
        let first = try cursor.duration(after: "backoff")
        var cap: Duration?
        var jitter: WaitExpectation.Backoff.Jitter?
        var within: Duration?
        var capLocation = firstLocation
        try optionLoop(&cursor, ["cap", "jitter", "within"]) { (option, cursor) throws(ScriptError) in
            switch option {
            case "cap":
                capLocation = cursor.here
                cap = try cursor.duration(after: "cap")
            case "jitter":
                let modes = WaitExpectation.Backoff.Jitter.allCases.map(\.rawValue)
                guard let t = cursor.peek, t.kind == .word, let mode = WaitExpectation.Backoff.Jitter(rawValue: t.text) else {
                    throw cursor.unexpected("the kind of jitter after `jitter`: \(Suggestion.list(modes.map { "`\($0)`" }))")
                }
                _ = cursor.next()
                jitter = mode
            default:
                within = try cursor.duration(after: "within")
            }
        }
        guard let cap else {
            throw ScriptError("`waits backoff` needs `cap`, the longest wait, as in `backoff 100ms cap 1s`", at: firstLocation)
        }
        guard let jitter else {
            throw ScriptError("`waits backoff` needs `jitter none`, `jitter equal` or `jitter full`", at: firstLocation)
        }
        guard cap >= first else {
            throw ScriptError("the cap (\(cap.scriptText)) is shorter than the first wait (\(first.scriptText))", at: capLocation)
        }
        guard cap <= ScriptLimits.duration else { throw ScriptError("the cap is too long; expected at most 10m", at: capLocation) }
        return .backoff(WaitExpectation.Backoff(first: first, cap: cap, jitter: jitter), within: within)
    }
}
