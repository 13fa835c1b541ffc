extension CheckScript {
    /// Parses a check script.
    ///
    /// - Parameters:
    ///   - source: the text of `checks.netlab`.
    ///   - file: the name to report in locations, usually the path relative to the package root
    ///     or just `checks.netlab`.
    /// - Throws: the first error in source order; use ``diagnose(source:file:)`` for all of them.
    public static func parse(source: String, file: String) throws(ScriptError) -> CheckScript {
        let parser = ScriptParser(file: file)
        let script = parser.parse(source)
        if let first = parser.errors.first { throw first }
        return script
    }

    /// Every error the parser finds (at most 50), in source order; empty when the script is valid.
    public static func diagnose(source: String, file: String) -> [ScriptError] {
        let parser = ScriptParser(file: file)
        _ = parser.parse(source)
        return parser.errors
    }

    /// Every `file "…"` the script sends or expects, in order of appearance, without duplicates.
    /// Paths are relative to the folder that holds the script.
    public var referencedFiles: [String] {
        var out: [String] = []
        func visit(_ steps: [Step]) {
            for step in steps {
                switch step {
                case .send(let s):
                    if case .file(let path) = s.payload { out.append(path) }
                case .expectClient(let e):
                    if case .receives(.file(let path), _) = e.expectation { out.append(path) }
                case .expectUpstream(let e):
                    if case .stream(.receives(.file(let path), _)) = e.condition { out.append(path) }
                case .repeat(let loop), .parallel(let loop):
                    visit(loop.body)
                default:
                    break
                }
            }
        }
        for check in checks { visit(check.steps) }
        var seen = Set<String>()
        return out.filter { seen.insert($0).inserted }
    }
}
