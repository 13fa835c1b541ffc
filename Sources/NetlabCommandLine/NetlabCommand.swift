/// One `netlab` command as a type, in the manner of clap's derive (rustlings' `cli.rs`): the type
/// says what the command is called and what it takes, its `Option` enum lists its options, its
/// stored properties are what one command line asked for, and ``run(_:)`` does it. `--help`, the
/// parser, the overview and dispatch all read the same type (``NetlabCommands/registered``), so
/// they cannot disagree; a command reads its options only through its own `Option` cases, so it
/// cannot read one its help does not show.
///
/// A new command is a new file with a type conforming to this protocol, and one line in
/// ``NetlabCommands/registered``.
public protocol NetlabCommand: Sendable {
    /// The command's options, in the order `--help` lists them.
    associatedtype Option: CommandOption = NoOption

    /// The command word: `check`.
    static var name: String { get }
    /// The usage line: `netlab check [N…] [--solution] …`.
    static var usage: String { get }
    /// What the command does; its first sentence is its line in `netlab --help`.
    static var summary: String { get }
    /// The words after the command that are not options.
    static var positionals: CommandSpec.Positionals { get }
    /// Whether it takes `-- ARGS…` (`netlab run 4 -- --idle-timeout 1s`).
    static var passthrough: Bool { get }
    /// Longer text after the options in `--help`.
    static var details: String { get }

    /// Reads one parsed command line into the command's typed value; a combination the command
    /// refuses (`--solution` with `--cmd`) is a usage error.
    init(_ arguments: CommandArguments<Option>) throws(UsageError)

    /// Does what the command line asked for, and returns the exit status.
    func run(_ cli: NetlabCLI) async throws -> Int32
}

extension NetlabCommand {
    public static var positionals: CommandSpec.Positionals { .none }
    public static var passthrough: Bool { false }
    public static var details: String { "" }

    /// What the parser and `--help` read: everything above, with the options from `Option`.
    public static var spec: CommandSpec {
        CommandSpec(
            name: name, usage: usage, summary: summary,
            options: Option.allCases.map { CommandSpec.Option($0.rawValue, $0.form) },
            positionals: positionals, passthrough: passthrough, details: details)
    }
}

/// The options of one command: an enum whose raw values are the option names (`json` for
/// `--json`) and whose ``form`` says how each is written and explained.
public protocol CommandOption: CaseIterable, Sendable, Hashable, RawRepresentable where RawValue == String {
    var form: CommandSpec.Option.Form { get }
}

/// The options of a command that has none.
public enum NoOption: CommandOption {
    public typealias AllCases = [NoOption]
    public static var allCases: [NoOption] { [] }
    public init?(rawValue: String) { nil }
    public var rawValue: String { switch self {} }
    public var form: CommandSpec.Option.Form { switch self {} }
}

/// One parsed command line as a command reads it: its options only through its own `Option`
/// cases (the words are private), so reading an option the command does not declare does not compile.
public struct CommandArguments<Option: CommandOption>: Sendable {
    private let parsed: ParsedCommand

    public init(_ parsed: ParsedCommand) { self.parsed = parsed }

    /// Whether the flag was given.
    public func flag(_ option: Option) -> Bool { parsed.flag(option.rawValue) }
    /// The option's value (the last one, for an option that repeats), or nil.
    public func value(_ option: Option) -> String? { parsed.value(option.rawValue) }
    /// The lesson numbers, in the order given.
    public var lessons: [Int] { parsed.lessons }
    /// The lesson number of a command that takes exactly one (the parser made sure of it).
    public var lesson: Int { parsed.lessons[0] }
    /// The files (or the name of `netlab api NAME`).
    public var files: [String] { parsed.files }
    /// The words after `--`.
    public var passthrough: [String] { parsed.passthrough }
}
