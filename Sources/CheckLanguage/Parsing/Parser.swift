/// Turns the lines of a check script into a `CheckScript`, collecting every error it can find.
///
/// Each line is one statement, so after an error the parser skips the rest of that line and goes
/// on; blocks whose opening line is broken are still tracked so that their `end` does not cause a
/// second, confusing error.
final class ScriptParser {
    let file: String
    var errors: [ScriptError] = []
    static let maximumErrors = 50
    static let maximumNesting = 16

    // File header.
    var defaultStart: StartSpec?
    /// Where the file's `start` line is, even one with an error.
    var lessonLocation: SourceLocation?
    var defaultStartLocation: SourceLocation?
    var defaultStartPlaceholders: [RawPlaceholder] = []
    var defaultTimeout: Duration?
    var defaultTimeoutLocation: SourceLocation?
    var topUpstreams: [Upstream] = []

    var checks: [Check] = []
    var checkNames: [String: SourceLocation] = [:]
    /// Checks (by the line of their `check`) that have a `start` line, even one with an error.
    var checksWithStartLine: Set<Int> = []
    var current: CheckState?
    var blocks: [Block] = []

    init(file: String) {
        self.file = file
    }

    /// What the parser knows about the check being read.
    struct CheckState {
        var check: Check
        var hintLocation: SourceLocation?
        var timeoutLocation: SourceLocation?
        var startLocation: SourceLocation?
        var limitLocation: SourceLocation?
        /// The check's `start` placeholders, checked once all its upstreams are declared.
        var pendingStart: [RawPlaceholder] = []
        var firstStep: (command: String, location: SourceLocation)?
        var clients: [NamePattern] = []
        var data: [NamePattern] = []
        /// Names bound by `send … hello sni random as NAME`: `{NAME.name}` in patterns.
        var serverNames: [String] = []
        var captures: [String: Metric] = [:]
        /// Names given by `scrape NAME …`.
        var scrapes: [String] = []
    }

    /// An open `repeat` or `parallel`. A broken block's opening line had an error: its steps are
    /// parsed for errors and then dropped.
    struct Block {
        var command: String
        var count: Int
        var variable: String?
        var broken: Bool
        var location: SourceLocation
        var steps: [Step] = []
    }

    static let topLevelCommands = ["lesson", "start", "timeout", "upstream", "check"]
    static let checkHeaderCommands = ["hint", "timeout", "upstream", "start", "limit"]
    static let stepCommands = [
        "connect", "tls-connect", "send", "shutdown", "reset", "close", "expect", "fds", "sockets", "threads", "rss", "peak-rss", "cpu",
        "stop", "sleep", "repeat", "parallel", "scrape",
    ]
    static var allCommands: [String] { topLevelCommands + ["hint", "limit", "end"] + stepCommands }

    // MARK: Driver

    func parse(_ source: String) -> CheckScript {
        let (lines, lexErrors) = Lexer(file: file).lex(source)
        var pendingLexErrors = lexErrors[...]
        for line in lines {
            // Past the error limit the rest of the file cannot change what is reported.
            if errors.count >= Self.maximumErrors { break }
            // Keep errors in source order: lexical errors of earlier lines first.
            while let e = pendingLexErrors.first, e.location.line < line.number {
                record(e)
                pendingLexErrors = pendingLexErrors.dropFirst()
            }
            var cursor = Cursor(line: line, file: file)
            do {
                try statement(&cursor)
            } catch {
                record(error)
            }
        }
        for e in pendingLexErrors { record(e) }
        finishCheck(before: nil)
        validateStarts()
        errors.sort { ($0.location.line, $0.location.column) < ($1.location.line, $1.location.column) }
        if errors.count > Self.maximumErrors { errors = Array(errors.prefix(Self.maximumErrors)) }
        return CheckScript(
            file: file, defaultStart: defaultStart, defaultTimeout: defaultTimeout,
            upstreams: topUpstreams, checks: checks,
            sourceLines: ScriptSource.splitLines(source).map { String(String.UnicodeScalarView($0)) })
    }

    func record(_ error: ScriptError) {
        guard errors.count <= Self.maximumErrors * 4 else { return }
        errors.append(error)
    }

    func location(_ cursor: Cursor, _ token: Token) -> SourceLocation { cursor.location(of: token) }

    func statement(_ cursor: inout Cursor) throws(ScriptError) {
        guard let first = cursor.next() else { return }
        let at = cursor.location(of: first)
        guard first.kind == .word else {
            throw ScriptError(
                "unexpected \(first.quoted) at the start of a line; expected a command such as `check`, `connect`, `send` or `expect`", at: at)
        }
        let command = first.text
        switch command {
        case "check":
            finishCheck(before: at)
            try checkLine(&cursor, at: at)
            return
        case "end":
            try cursor.expectEnd()
            endBlock(at: at)
            return
        default:
            break
        }
        if current == nil {
            try topLevel(command, &cursor, at: at)
        } else {
            try inCheck(command, &cursor, at: at)
        }
    }

    func unknownCommand(_ command: String, at: SourceLocation, allowed: [String]) -> ScriptError {
        if command == "peer" || command == "peers" {
            return ScriptError(
                "unknown command `\(command)`; checker-owned peers are declared with `upstream KIND as NAME` (KIND: echo, sink, reply-at-eof, silent, close, half-close, refuse, blackhole or tls-echo)",
                at: at)
        }
        let shown = Token.abbreviate(command)
        if let near = Suggestion.nearest(to: command, in: allowed) ?? Suggestion.nearest(to: command, in: Self.allCommands) {
            return ScriptError("unknown command `\(shown)`; did you mean `\(near)`?", at: at)
        }
        return ScriptError("unknown command `\(shown)`; expected \(Suggestion.list(allowed.map { "`\($0)`" }))", at: at)
    }

    // MARK: Top level

    func topLevel(_ command: String, _ cursor: inout Cursor, at: SourceLocation) throws(ScriptError) {
        switch command {
        case "lesson":
            // Accepted from older scripts (and the design sketch) and ignored: a lesson's title
            // has one home, the first heading of its README.md. Still checked, so a typo in it
            // is reported rather than skipped.
            if let previous = lessonLocation {
                throw ScriptError("second `lesson` line; the first is at line \(previous.line)", at: at)
            }
            lessonLocation = at
            _ = try cursor.text("a string after `lesson`, such as \"Timeouts\" (the line is ignored: the title is the README's first heading)")
            try cursor.expectEnd()
        case "start":
            if let previous = defaultStartLocation {
                throw ScriptError(
                    "second `start` line; the file's start line is at line \(previous.line) (a check can have its own `start` line)", at: at)
            }
            defaultStartLocation = at
            let (spec, raw) = try startLine(&cursor, at: at)
            defaultStart = spec
            defaultStartPlaceholders = raw
        case "timeout":
            if let previous = defaultTimeoutLocation {
                throw ScriptError("second `timeout` line; the default step bound was already set at line \(previous.line)", at: at)
            }
            defaultTimeoutLocation = at
            defaultTimeout = try cursor.duration(after: "timeout")
            try cursor.expectEnd()
        case "upstream":
            let upstream = try upstreamLine(&cursor, at: at, scope: Scope(parser: self, local: []))
            topUpstreams.append(upstream)
        case "hint":
            throw ScriptError("`hint` outside a check; a hint belongs to a check: put it under a `check \"…\"` line", at: at)
        case "limit":
            throw ScriptError("`limit` outside a check; a descriptor limit belongs to a check: put it under a `check \"…\"` line", at: at)
        default:
            if Self.stepCommands.contains(command) {
                throw ScriptError("`\(command)` outside a check; steps run inside checks: add a `check \"name\"` line above it", at: at)
            }
            throw unknownCommand(command, at: at, allowed: Self.topLevelCommands)
        }
    }

    // MARK: Checks

    func checkLine(_ cursor: inout Cursor, at: SourceLocation) throws(ScriptError) {
        // The check exists even if its line has an error, so its steps are still checked.
        var state = CheckState(check: Check(name: "", location: at))
        current = state
        let nameToken = cursor.peek
        let name = try cursor.text("the check's name as a string after `check`, such as \"echoes a line\"")
        state.check.name = name
        if let first = checkNames[name] {
            current = state
            throw ScriptError(
                "duplicate check name \"\(Token.abbreviate(name))\"; the first check with this name is at line \(first.line)",
                at: cursor.location(of: nameToken))
        }
        checkNames[name] = at
        current = state
        if cursor.accept("points") {
            guard let t = cursor.peek, t.kind == .number else {
                throw cursor.unexpected("a positive whole number after `points`")
            }
            let text = t.text
            // Digits too many for an Int are too large, not malformed.
            let points = text.allSatisfy(\.isASCIIDigitCharacter) ? (Int(text) ?? Int.max) : 0
            guard points > 0 else {
                throw ScriptError("points must be a positive whole number; found `\(Token.abbreviate(text))`", at: cursor.location(of: t))
            }
            guard points <= ScriptLimits.points else {
                throw ScriptError(
                    "`points \(text)` is too large; expected at most \(ScriptLimits.points) points for a check", at: cursor.location(of: t))
            }
            _ = cursor.next()
            state.check.points = points
            current = state
            try cursor.expectEnd()
        } else {
            try cursor.expectEnd(["points"])
        }
    }

    /// Closes the current check (reporting blocks left open) and stores it.
    func finishCheck(before next: SourceLocation?) {
        for block in blocks.reversed() {
            let before = next.map { "before the `check` at line \($0.line)" } ?? "before the end of the file"
            record(ScriptError("`\(block.command)` has no `end`; add `end` after its last step, \(before)", at: block.location))
        }
        blocks = []
        validatePendingStart()
        guard let state = current else { return }
        current = nil
        if !state.check.name.isEmpty { checks.append(state.check) }
    }

    func inCheck(_ command: String, _ cursor: inout Cursor, at: SourceLocation) throws(ScriptError) {
        if Self.checkHeaderCommands.contains(command), let block = blocks.last {
            throw ScriptError("`\(command)` inside `\(block.command)`; it belongs to the check: move it above the check's first step", at: at)
        }
        switch command {
        case "hint":
            if let previous = current?.hintLocation {
                throw ScriptError("second `hint` in this check; the first is at line \(previous.line)", at: at)
            }
            current?.hintLocation = at
            let hint = try cursor.text("the hint as a string after `hint`")
            try cursor.expectEnd()
            current?.check.hint = hint
        case "timeout":
            if let previous = current?.timeoutLocation {
                throw ScriptError("second `timeout` in this check; the first is at line \(previous.line)", at: at)
            }
            current?.timeoutLocation = at
            let timeout = try cursor.duration(after: "timeout")
            try cursor.expectEnd()
            current?.check.timeout = timeout
        case "upstream":
            try mustPrecedeSteps(command, at: at, reason: "upstreams listen before the server starts")
            let upstream = try upstreamLine(&cursor, at: at, scope: scope)
            current?.check.upstreams.append(upstream)
        case "start":
            try mustPrecedeSteps(command, at: at, reason: "it starts the server the steps talk to")
            if let previous = current?.startLocation {
                throw ScriptError("second `start` in this check; the first is at line \(previous.line)", at: at)
            }
            current?.startLocation = at
            if let line = current?.check.location.line { checksWithStartLine.insert(line) }
            let (spec, raw) = try startLine(&cursor, at: at)
            current?.check.start = spec
            // Checked at the first step, when the check's upstreams are all declared.
            current?.pendingStart = raw
        case "limit":
            try mustPrecedeSteps(command, at: at, reason: "the limit is set when the server starts")
            if let previous = current?.limitLocation {
                throw ScriptError("second `limit` in this check; the first is at line \(previous.line)", at: at)
            }
            current?.limitLocation = at
            guard cursor.accept("fds") else { throw cursor.unexpected("`fds` after `limit` (as in `limit fds 64`)") }
            // Below 16 the program could not even start (stdio, the runtime, epoll, a listener).
            let limit = try cursor.integer(
                after: "limit fds", what: "the most descriptors the server may have open, 16 to 1048576",
                minimum: 16, maximum: 1_048_576)
            try cursor.expectEnd()
            current?.check.descriptorLimit = limit
        case "lesson":
            throw ScriptError(
                "`lesson` inside a check; the line is ignored anyway (a lesson's title is its README's first heading), so delete it", at: at)
        default:
            guard Self.stepCommands.contains(command) else {
                let error = unknownCommand(command, at: at, allowed: Self.checkHeaderCommands + Self.stepCommands + ["end", "check"])
                // A misspelt block opener still gets its `end`: track it so the `end` matches.
                if let near = Suggestion.nearest(to: command, in: Self.stepCommands), near == "repeat" || near == "parallel" {
                    openBrokenBlock(near, &cursor, at: at)
                }
                throw error
            }
            if current?.firstStep == nil {
                current?.firstStep = (command, at)
                validatePendingStart()
            }
            try step(command, &cursor, at: at)
        }
    }

    func validatePendingStart() {
        guard let pending = current?.pendingStart, !pending.isEmpty else { return }
        current?.pendingStart = []
        do {
            try validate(pending, scope: scope)
        } catch {
            record(error)
        }
    }

    func mustPrecedeSteps(_ command: String, at: SourceLocation, reason: String) throws(ScriptError) {
        if let first = current?.firstStep {
            throw ScriptError(
                "`\(command)` after the check's first step (`\(first.command)` at line \(first.location.line)); move it above: \(reason)", at: at)
        }
    }

    // MARK: Start validation

    /// Every check needs a start line, and the file's start line may name upstreams that each
    /// check using it must have.
    func validateStarts() {
        var reported = Set<String>()
        for check in checks where check.start == nil && !checksWithStartLine.contains(check.location.line) {
            guard defaultStart != nil else {
                if defaultStartLocation != nil { continue }
                record(
                    ScriptError(
                        "check \"\(Token.abbreviate(check.name))\" has no `start` line, and the file has none; add `start --listen {listen}` (and the lesson's flags) at the top of the file",
                        at: check.location))
                continue
            }
            let scope = Scope(parser: self, local: check.upstreams, loopVariables: [])
            do {
                try validate(defaultStartPlaceholders, scope: scope)
            } catch {
                let key = "\(error.location)|\(error.message)"
                if reported.insert(key).inserted {
                    var e = error
                    e.message += " (check \"\(Token.abbreviate(check.name))\" at line \(check.location.line) uses the file's `start` line)"
                    record(e)
                }
            }
        }
    }
}
