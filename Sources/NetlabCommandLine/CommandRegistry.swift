import Workbook

/// Every netlab command, in the order `netlab --help` lists them. The parser, `--help`, the
/// overview, the "did you mean" of a mistyped command and dispatch all read this one list.
public enum NetlabCommands {
    /// The command types. A new command is a new file with a ``NetlabCommand`` type, and one line here.
    public static let registered: [any NetlabCommand.Type] = [
        ListCommand.self,
        LessonCommand.self,
        CheckCommand.self,
        RunCommand.self,
        HintCommand.self,
        WatchCommand.self,
        BenchCommand.self,
        SolutionCommand.self,
        ResetCommand.self,
        CertCommand.self,
        APICommand.self,
        ReportCommand.self,
        ClassKeyCommand.self,
        ClassCommand.self,
    ]

    /// Each registered command's spec, in the same order.
    public static let all: [CommandSpec] = registered.map { $0.spec }

    /// The spec of the command called `name`, if there is one.
    public static func spec(named name: String) -> CommandSpec? { all.first { $0.name == name } }

    /// What a command line asks for, as a value: the command to run, typed, or help, or the version.
    public enum Invocation: Sendable {
        case run(any NetlabCommand)
        /// `netlab --help` (nil) or `netlab help COMMAND`, `netlab COMMAND --help`.
        case help(CommandSpec?)
        case version
    }

    /// Parses a command line (without the program name) into what it asks for.
    public static func parse(_ arguments: [String]) throws(UsageError) -> Invocation {
        switch try ArgumentParser.parse(arguments, specs: all) {
        case .version: return .version
        case .help(let name): return .help(name.flatMap(spec(named:)))
        case .command(let parsed):
            guard let type = registered.first(where: { $0.name == parsed.command }) else {
                throw UsageError("unknown command `\(parsed.command)`", command: nil)
            }
            if parsed.wantsHelp { return .help(type.spec) }
            return .run(try make(type, parsed))
        }
    }

    /// The typed value of `type` for `parsed`.
    static func make<Command: NetlabCommand>(_ type: Command.Type, _ parsed: ParsedCommand) throws(UsageError) -> Command {
        try Command(CommandArguments(parsed))
    }

    public static func overview(style: Style = .plain, version: String) -> String {
        var out = "netlab \(version) — a workbook for Go's net patterns, in Swift\n\n"
        out += "\(style.bold("usage:")) netlab COMMAND [ARGS…]\n\n\(style.bold("commands:"))\n"
        for spec in all {
            out += "  " + spec.name.padding(toLength: 10) + firstSentence(spec.summary) + "\n"
        }
        out += """

            A typical session:
              netlab                 what to do next
              netlab lesson 1        read the lesson
              netlab check 1         grade your lessons/01-…/main.swift
              netlab hint 1          stuck? one hint at a time
              netlab watch 1         re-check on every save
              netlab api NAME        a call's declaration and doc comment (`netlab api` lists them)

            The API in depth: docs/netcore.md (Go's net), docs/nettls.md (crypto/tls), docs/lessonkit.md.

            `netlab COMMAND --help` explains a command. Exit status: 0 success, 1 checks failed or the
            command failed, 2 wrong command line, 3 netlab cannot work here.
            """
        return out + "\n"
    }

    static func firstSentence(_ s: String) -> String {
        if let r = s.range(of: ". ") { return String(s[..<r.lowerBound]) + "." }
        return s
    }
}
