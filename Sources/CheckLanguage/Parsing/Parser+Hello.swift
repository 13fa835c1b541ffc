/// The options of `send NAME hello …` (see `HelloPayload` and docs/checks.md).
extension ScriptParser {
    static let helloOptions = ["sni", "second-sni", "second-host-name", "nul-in-name", "trailing-dot", "record-version", "records"]

    /// One option of a `hello` payload, its keyword already read.
    func helloOption(_ option: String, _ cursor: inout Cursor, _ hello: inout HelloPayload) throws(ScriptError) {
        switch option {
        case "sni":
            hello.serverName = try helloName(&cursor, after: option, hello)
        case "second-sni":
            hello.secondExtension = try helloName(&cursor, after: option, hello)
        case "second-host-name":
            hello.secondEntry = try helloName(&cursor, after: option, hello)
        case "nul-in-name":
            hello.nulInName = true
        case "trailing-dot":
            hello.trailingDot = true
        case "record-version":
            let t = try cursor.string("two bytes in hex after `record-version`, such as \"03 00\"")
            let bytes = try StringLiteral.hexBytes(t.raw, column: t.column, line: cursor.line.number, file: file)
            guard bytes.count == 2 else {
                throw ScriptError(
                    "`record-version` takes two bytes; found \(bytes.count); expected two bytes in hex, such as \"03 00\"", at: cursor.location(of: t)
                )
            }
            hello.recordVersion = UInt16(bytes[0]) << 8 | UInt16(bytes[1])
        default:  // records
            try cursor.expectWord("of", "after `records`, as in `records of 100`")
            let size = try cursor.size(after: "of", maximum: .max)  // bounded just below, with the RFC's reason
            guard size <= HelloPayload.maximumRecordSize else {
                throw ScriptError(
                    "a record holds at most \(HelloPayload.maximumRecordSize) bytes (RFC 8446 §5.1); found \(size); expected `records of` 1 to \(HelloPayload.maximumRecordSize)",
                    at: cursor.location(of: cursor.line.tokens[cursor.index - 1]))
            }
            hello.recordSize = size
        }
    }

    /// `example.test`, `"example.test"` or `random as N` after `sni`, `second-sni` or
    /// `second-host-name`.
    func helloName(_ cursor: inout Cursor, after keyword: String, _ hello: HelloPayload) throws(ScriptError) -> HelloPayload.Name {
        let what = "a server name after `\(keyword)`: a host such as `example.test`, or `random as NAME`"
        guard let t = cursor.peek, t.kind == .word || t.kind == .string else { throw cursor.unexpected(what) }
        if t.kind == .word, t.text == "random" {
            _ = cursor.next()
            try cursor.expectWord("as", "and a name after `random`, as in `\(keyword) random as host`")
            let name = try plainName(&cursor, what: "a name for the server name after `as`, such as `host`")
            if hello.bindings.contains(name.text) {
                throw ScriptError("`\(name.text)` already names a server name of this hello; choose another name", at: name.location)
            }
            if let block = blocks.last(where: { $0.command == "parallel" }) {
                throw ScriptError(
                    "`random as \(name.text)` inside the `parallel` at line \(block.location.line): its copies would share `{\(name.text).name}`; "
                        + "expected it outside `parallel`, or in a `repeat`", at: name.location)
            }
            return .random(binding: name.text)
        }
        _ = cursor.next()
        let host =
            t.kind == .word
            ? t.text
            : try StringLiteral.text(t.raw, column: t.column, line: cursor.line.number, file: file, what: "a server name")
        guard !host.isEmpty, host.utf8.count <= 255, !host.contains("{"),
            host.unicodeScalars.allSatisfy({ $0.value > 0x20 && $0.value < 0x7f })
        else {
            throw ScriptError(
                "`\(Token.abbreviate(t.text))` is not a server name; expected printable ASCII without spaces, at most 255 bytes, "
                    + "such as `example.test` (for a NUL in the name, add `nul-in-name`)", at: cursor.location(of: t))
        }
        return .literal(host)
    }

    /// What a finished `hello` needs: the options that change the server name need one.
    func validateHello(_ hello: HelloPayload, at location: SourceLocation) throws(ScriptError) {
        if hello.serverName == nil {
            let needing = [
                ("second-sni", hello.secondExtension != nil), ("second-host-name", hello.secondEntry != nil),
                ("nul-in-name", hello.nulInName), ("trailing-dot", hello.trailingDot),
            ].filter(\.1).map(\.0)
            if let first = needing.first {
                throw ScriptError("`\(first)` changes the server name, and this hello has none; add `sni HOST` or `sni random as NAME`", at: location)
            }
        }
        current?.serverNames.append(contentsOf: hello.bindings)
    }
}
