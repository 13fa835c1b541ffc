/// The faults of an `echo` or `sink` upstream: `down for T`, `reset first N`, `close after SIZE`.
extension ScriptParser {
    func upstreamFaults(_ cursor: inout Cursor) throws(ScriptError) -> UpstreamFaults {
        var faults = UpstreamFaults()
        try optionLoop(&cursor, ["down", "reset", "close"]) { (option, cursor) throws(ScriptError) in
            switch option {
            case "down":
                try cursor.expectWord("for", "after `down`, as in `down for 2s`")
                let location = cursor.here
                let t = try cursor.duration(after: "down for")
                guard t <= ScriptLimits.duration else {
                    throw ScriptError("`down for` is too long; expected at most 10m", at: location)
                }
                faults.downFor = t
            case "reset":
                try cursor.expectWord("first", "after `reset`, as in `reset first 6`")
                faults.resetFirst = try cursor.integer(
                    after: "reset first", what: "a number of connections (1 to \(UpstreamFaults.maxResets))", minimum: 1,
                    maximum: UpstreamFaults.maxResets)
            default:
                try cursor.expectWord("after", "after `close`, as in `close after 64` (bytes)")
                faults.closeAfter = try cursor.size(after: "close after", maximum: ScriptLimits.randomSize)
            }
        }
        return faults
    }
}
