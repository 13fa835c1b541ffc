/// A position in a check script: the file name as given to the parser, a 1-based line and a
/// 1-based column. Columns count Unicode scalars (one per character in ASCII text); a tab counts
/// as one column.
public struct SourceLocation: Sendable, Hashable, CustomStringConvertible {
    public var file: String
    public var line: Int
    public var column: Int

    public init(file: String, line: Int, column: Int) {
        self.file = file
        self.line = line
        self.column = column
    }

    /// `checks.netlab:14:3`
    public var description: String { "\(file):\(line):\(column)" }
}
