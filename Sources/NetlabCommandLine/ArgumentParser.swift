/// netlab's own small argument parser: a command word, then options and positionals in any
/// order, `--name VALUE` or `--name=VALUE`, `-h`/`--help` everywhere, and `--` to pass the rest
/// through (`netlab run 4 -- --idle-timeout 1s`).
import CheckLanguage
import Workbook
/// The arguments of one command after parsing.
public struct ParsedCommand: Sendable, Equatable {
    public var command: String
    public var flags: Set<String> = []
    public var values: [String: [String]] = [:]
    public var lessons: [Int] = []
    public var files: [String] = []
    public var passthrough: [String] = []
    public var wantsHelp = false

    public func flag(_ name: String) -> Bool { flags.contains(name) }
    public func value(_ name: String) -> String? { values[name]?.last }
}

/// A command-line mistake: what was wrong, and the command whose usage to show.
public struct UsageError: Error, Sendable, Equatable, CustomStringConvertible {
    public var message: String
    public var command: String?

    public init(_ message: String, command: String?) {
        self.message = message
        self.command = command
    }

    public var description: String { message }
}

public enum ArgumentParser {
    /// What the first word may be, besides a command.
    public enum TopLevel: Sendable, Equatable {
        case command(ParsedCommand)
        case help(String?)
        case version
    }

    /// Parses `arguments` (without the program name) against `specs`.
    public static func parse(_ arguments: [String], specs: [CommandSpec]) throws(UsageError) -> TopLevel {
        guard let first = arguments.first else {
            return .command(ParsedCommand(command: "list"))
        }
        switch first {
        case "-h", "--help": return .help(nil)
        case "--version", "-V": return .version
        case "help":
            if arguments.count > 2 { throw UsageError("`help` takes at most one command name", command: nil) }
            if arguments.count == 2 {
                guard specs.contains(where: { $0.name == arguments[1] }) else {
                    throw UsageError("unknown command `\(arguments[1])`\(suggestion(arguments[1], specs.map(\.name)))", command: nil)
                }
                return .help(arguments[1])
            }
            return .help(nil)
        default: break
        }
        if first.hasPrefix("-") {
            throw UsageError("unknown option `\(first)` before the command; commands come first (`netlab check 4 --verbose`)", command: nil)
        }
        if let n = Int(first), n >= 0 {
            throw UsageError("a lesson number needs a command: `netlab lesson \(n)` to read it, `netlab check \(n)` to grade it", command: nil)
        }
        guard let spec = specs.first(where: { $0.name == first }) else {
            throw UsageError("unknown command `\(first)`\(suggestion(first, specs.map(\.name)))", command: nil)
        }
        return .command(try parse(Array(arguments.dropFirst()), spec: spec))
    }

    /// Parses the arguments after the command word.
    public static func parse(_ arguments: [String], spec: CommandSpec) throws(UsageError) -> ParsedCommand {
        var result = ParsedCommand(command: spec.name)
        var positionals: [String] = []
        var i = 0
        func fail(_ message: String) -> UsageError { UsageError(message, command: spec.name) }
        while i < arguments.count {
            let arg = arguments[i]
            i += 1
            if arg == "--" {
                guard spec.passthrough else { throw fail("`netlab \(spec.name)` takes no `--` arguments") }
                result.passthrough = Array(arguments[i...])
                break
            }
            if arg == "-h" || arg == "--help" { result.wantsHelp = true; continue }
            if arg.hasPrefix("--") {
                var name = String(arg.dropFirst(2))
                var inlineValue: String?
                if let eq = name.firstIndex(of: "=") {
                    inlineValue = String(name[name.index(after: eq)...])
                    name = String(name[..<eq])
                }
                guard let option = spec.options.first(where: { $0.name == name }) else {
                    throw fail("unknown option `--\(name)` for `netlab \(spec.name)`\(suggestion(name, spec.options.map(\.name), prefix: "--"))")
                }
                try take(option, inlineValue: inlineValue, arguments: arguments, index: &i, into: &result, spec: spec)
                continue
            }
            if arg.hasPrefix("-"), arg.count >= 2, Int(arg) == nil {
                let letters = Array(arg.dropFirst())
                for (k, letter) in letters.enumerated() {
                    guard let option = spec.options.first(where: { $0.short == letter }) else {
                        throw fail("unknown option `-\(letter)` for `netlab \(spec.name)`")
                    }
                    if option.value != nil {
                        let rest = String(letters[(k + 1)...])
                        try take(option, inlineValue: rest.isEmpty ? nil : rest, arguments: arguments, index: &i, into: &result, spec: spec)
                        break
                    }
                    try take(option, inlineValue: nil, arguments: arguments, index: &i, into: &result, spec: spec)
                }
                continue
            }
            positionals.append(arg)
        }
        if result.wantsHelp { return result }
        switch spec.positionals {
        case .none:
            if let p = positionals.first { throw fail("unexpected argument `\(p)`; `netlab \(spec.name)` takes no arguments") }
        case .oneLesson, .optionalLesson, .lessons:
            result.lessons = try positionals.map { p throws(UsageError) -> Int in
                guard let n = lessonNumber(p) else {
                    throw fail("`\(p)` is not a lesson number; write it like `4` or `04`")
                }
                return n
            }
            if spec.positionals == .oneLesson, result.lessons.isEmpty {
                throw fail("`netlab \(spec.name)` needs a lesson number, like `netlab \(spec.name) 4`")
            }
            if spec.positionals != .lessons, result.lessons.count > 1 {
                throw fail("`netlab \(spec.name)` takes one lesson number, not \(result.lessons.count)")
            }
        case .files:
            if positionals.isEmpty { throw fail("`netlab \(spec.name)` needs at least one file") }
            result.files = positionals
        case .optionalName:
            if positionals.count > 1 { throw fail("`netlab \(spec.name)` takes one name, not \(positionals.count)") }
            result.files = positionals
        }
        return result
    }

    static func take(
        _ option: CommandSpec.Option, inlineValue: String?, arguments: [String], index i: inout Int,
        into result: inout ParsedCommand, spec: CommandSpec
    ) throws(UsageError) {
        guard let placeholder = option.value else {
            if inlineValue != nil { throw UsageError("`--\(option.name)` takes no value", command: spec.name) }
            result.flags.insert(option.name)
            return
        }
        let value: String
        if let inlineValue {
            value = inlineValue
        } else {
            guard i < arguments.count, arguments[i] != "--" else {
                throw UsageError("`--\(option.name)` needs a value: `--\(option.name) \(placeholder)`", command: spec.name)
            }
            value = arguments[i]
            i += 1
        }
        if value.isEmpty { throw UsageError("`--\(option.name)` needs a non-empty \(placeholder)", command: spec.name) }
        if !option.repeats, result.values[option.name] != nil {
            throw UsageError("`--\(option.name)` is given twice", command: spec.name)
        }
        result.values[option.name, default: []].append(value)
    }

    /// `4`, `04` → 4. Also `04-proxy` (a folder name) → 4.
    public static func lessonNumber(_ text: String) -> Int? {
        if let n = Int(text), n >= 0, n < 100 { return n }
        if let (n, _) = Catalog.parseFolderName(text) { return n }
        let trimmed = text.hasPrefix("lessons/") ? String(text.dropFirst(8)) : text
        let folder = trimmed.hasSuffix("/") ? String(trimmed.dropLast()) : trimmed
        if let (n, _) = Catalog.parseFolderName(folder) { return n }
        return nil
    }

    /// ` (did you mean `check`?)` for a near miss.
    static func suggestion(_ word: String, _ candidates: [String], prefix: String = "") -> String {
        let scalars = Array(word.unicodeScalars.prefix(64))
        let best = candidates.map { ($0, Suggestion.distance(scalars, Array($0.unicodeScalars.prefix(64)))) }.min { $0.1 < $1.1 }
        guard let (name, d) = best, d <= max(1, word.count / 3) else { return "" }
        return " (did you mean `\(prefix)\(name)`?)"
    }
}
