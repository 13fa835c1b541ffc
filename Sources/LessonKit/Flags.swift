/// Command-line flags of a lesson program.
///
/// Every lesson program takes `--listen HOST:PORT` (default `127.0.0.1:0`). A lesson declares the
/// other flags it understands (`.upstream`, `.idleTimeout`, `.route`, `.cert`, `.key`, or its own
/// with `Flag(...)`); any other flag is refused with a one-line message and exit status 2.
///
/// Both `--name VALUE` and `--name=VALUE` are accepted.
public struct Flag: Sendable, Hashable {
    public enum Kind: Sendable, Hashable {
        /// `HOST:PORT` (`127.0.0.1:8080`, `[::1]:0`, `localhost:9000`).
        case address
        /// `300ms`, `5s`, `1.5s`, `2m`, `100us`.
        case duration
        /// `NAME=HOST:PORT`, may be repeated.
        case route
        /// Any text (a file path, a greeting, …).
        case text
        /// A whole number.
        case integer
        /// No value: present or not.
        case toggle
    }

    /// The name without dashes: `upstream` for `--upstream`.
    public var name: String
    public var kind: Kind
    /// One line for `--help`.
    public var help: String
    /// Whether the program refuses to start without it.
    public var required: Bool
    /// Whether it may be given more than once (always true for `.route`).
    public var repeatable: Bool

    public init(_ name: String, _ kind: Kind, help: String, required: Bool = false, repeatable: Bool = false) {
        self.name = name
        self.kind = kind
        self.help = help
        self.required = required
        self.repeatable = repeatable || kind == .route
    }

    /// `--listen HOST:PORT`: every program has it (default `127.0.0.1:0`).
    public static let listen = Flag("listen", .address, help: "address to listen on (default 127.0.0.1:0)")
    /// `--upstream HOST:PORT`
    public static let upstream = Flag("upstream", .address, help: "address of the upstream server", required: true)
    /// `--idle-timeout DURATION`
    public static let idleTimeout = Flag("idle-timeout", .duration, help: "close a connection idle for this long (300ms, 5s)")
    /// `--route NAME=HOST:PORT`, repeated
    public static let route = Flag("route", .route, help: "send requests for NAME to HOST:PORT (repeatable)")
    /// `--cert FILE`
    public static let cert = Flag("cert", .text, help: "PEM certificate file")
    /// `--key FILE`
    public static let key = Flag("key", .text, help: "PEM private key file")
}

/// The flags a lesson program was started with, parsed.
public struct Options: Sendable, Equatable {
    /// `--listen`, `127.0.0.1:0` when not given.
    public var listen: String
    /// Every value given, by flag name, in order (toggles have an empty string).
    public var values: [String: [String]]

    public init(listen: String = "127.0.0.1:0", values: [String: [String]] = [:]) {
        self.listen = listen
        self.values = values
    }

    /// `--upstream`
    public var upstream: String? { values["upstream"]?.last }
    /// `--idle-timeout`, parsed.
    public var idleTimeout: Duration? { duration("idle-timeout") }
    /// `--route NAME=HOST:PORT`, in order.
    public var routes: [(name: String, address: String)] {
        (values["route"] ?? []).compactMap { text in
            guard let eq = text.firstIndex(of: "=") else { return nil }
            return (String(text[..<eq]), String(text[text.index(after: eq)...]))
        }
    }
    /// `--cert`
    public var cert: String? { values["cert"]?.last }
    /// `--key`
    public var key: String? { values["key"]?.last }

    /// The last value of a flag.
    public func string(_ name: String) -> String? { values[name]?.last }
    /// The last value of a `.duration` flag.
    public func duration(_ name: String) -> Duration? { values[name]?.last.flatMap(parseDuration) }
    /// The last value of an `.integer` flag.
    public func integer(_ name: String) -> Int? { values[name]?.last.flatMap { Int($0) } }
    /// Whether a `.toggle` flag was given.
    public func isSet(_ name: String) -> Bool { values[name] != nil }
}

/// Why the flags were refused. `description` is the one-line message the program prints before
/// exiting with status 2.
public struct FlagError: Error, Sendable, Equatable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

/// What parsing found: options to run with, or a request for help.
public enum FlagParse: Sendable, Equatable {
    case run(Options)
    case help(String)
}

/// Parses `arguments` (without the program name) against `--listen` and `flags`.
///
/// Throws `FlagError` for an unknown flag, a missing or malformed value, a repeated flag that is
/// not repeatable, a stray argument, or a missing required flag.
public func parseFlags(_ arguments: [String], flags: [Flag], program: String = "lesson") throws(FlagError) -> FlagParse {
    var known: [String: Flag] = ["listen": .listen]
    for flag in flags { known[flag.name] = flag }
    var values: [String: [String]] = [:]
    var index = 0
    while index < arguments.count {
        let argument = arguments[index]
        index += 1
        if argument == "--help" || argument == "-h" { return .help(usage(program: program, flags: flags)) }
        guard argument.hasPrefix("--"), argument.count > 2 else {
            throw FlagError("unexpected argument \"\(argument)\"; flags start with --, such as --listen 127.0.0.1:0 (see --help)")
        }
        var name = String(argument.dropFirst(2))
        var inline: String?
        if let eq = name.firstIndex(of: "=") {
            inline = String(name[name.index(after: eq)...])
            name = String(name[..<eq])
        }
        guard let flag = known[name] else {
            let names = (["listen"] + flags.map(\.name).filter { $0 != "listen" }).map { "--" + $0 }
            throw FlagError("unknown flag --\(name); this program takes \(names.joined(separator: ", ")) (see --help)")
        }
        let value: String
        if flag.kind == .toggle {
            guard inline == nil else { throw FlagError("flag --\(name) takes no value") }
            value = ""
        } else if let inline {
            value = inline
        } else {
            guard index < arguments.count else { throw FlagError("flag --\(name) needs a value: \(example(flag.kind))") }
            value = arguments[index]
            index += 1
        }
        try check(value, of: flag)
        if values[name] != nil, !flag.repeatable {
            throw FlagError("flag --\(name) given more than once")
        }
        values[name, default: []].append(value)
    }
    for flag in flags where flag.required && values[flag.name] == nil {
        throw FlagError("missing flag --\(flag.name) \(example(flag.kind))")
    }
    let listen = values.removeValue(forKey: "listen")?.last ?? "127.0.0.1:0"
    return .run(Options(listen: listen, values: values))
}

/// The text of `--help`.
public func usage(program: String, flags: [Flag]) -> String {
    var lines = ["usage: \(program) [flags]", "", "flags:"]
    let all = [Flag.listen] + flags.filter { $0.name != "listen" }
    let heads = all.map { "  --\($0.name)" + ($0.kind == .toggle ? "" : " " + placeholder($0.kind)) }
    let width = (heads.map(\.count).max() ?? 0) + 2
    for (head, flag) in zip(heads, all) {
        lines.append(head + String(repeating: " ", count: width - head.count) + flag.help)
    }
    lines.append("  --help" + String(repeating: " ", count: max(1, width - 8)) + "show this text")
    lines.append("")
    lines.append("Once listening, it prints `netlab: listening on HOST:PORT` and logs events to stderr.")
    return lines.joined(separator: "\n")
}

private func placeholder(_ kind: Flag.Kind) -> String {
    switch kind {
    case .address: "HOST:PORT"
    case .duration: "DURATION"
    case .route: "NAME=HOST:PORT"
    case .text: "VALUE"
    case .integer: "N"
    case .toggle: ""
    }
}

private func example(_ kind: Flag.Kind) -> String {
    switch kind {
    case .address: "HOST:PORT, such as 127.0.0.1:8080"
    case .duration: "a duration, such as 300ms or 5s"
    case .route: "NAME=HOST:PORT, such as api=127.0.0.1:9000"
    case .text: "a value"
    case .integer: "a whole number"
    case .toggle: "nothing"
    }
}

private func check(_ value: String, of flag: Flag) throws(FlagError) {
    let bad = { () -> FlagError in FlagError("malformed value \"\(value)\" for --\(flag.name); expected \(example(flag.kind))") }
    switch flag.kind {
    case .address:
        guard isHostPort(value) else { throw bad() }
    case .duration:
        guard parseDuration(value) != nil else { throw bad() }
    case .route:
        guard let eq = value.firstIndex(of: "="), eq != value.startIndex,
            isHostPort(String(value[value.index(after: eq)...]))
        else { throw bad() }
    case .integer:
        guard Int(value) != nil else { throw bad() }
    case .text:
        guard !value.isEmpty else { throw bad() }
    case .toggle:
        break
    }
}

/// `HOST:PORT` with a numeric port 0…65535; the host may be empty, a name, an IPv4 address or a
/// bracketed IPv6 address.
func isHostPort(_ text: String) -> Bool {
    guard let colon = text.lastIndex(of: ":") else { return false }
    let host = text[..<colon]
    let port = text[text.index(after: colon)...]
    guard !port.isEmpty, port.allSatisfy(\.isASCII), port.allSatisfy(\.isNumber), let p = Int(port), p <= 65535 else {
        return false
    }
    if host.hasPrefix("[") { return host.hasSuffix("]") && host.count > 2 }
    return !host.contains(":") && !host.contains(" ")
}

/// `300ms`, `5s`, `1.5s`, `2m`, `100us`, `250ns`, `1h` → a Duration; nil when malformed. Like Go's
/// `time.ParseDuration` for a single number and unit.
public func parseDuration(_ text: String) -> Duration? {
    let units: [(String, Double)] = [("ns", 1e-9), ("us", 1e-6), ("µs", 1e-6), ("ms", 1e-3), ("s", 1), ("m", 60), ("h", 3600)]
    for (unit, scale) in units.sorted(by: { $0.0.count > $1.0.count }) where text.hasSuffix(unit) {
        let number = text.dropLast(unit.count)
        guard !number.isEmpty, number.allSatisfy({ $0.isNumber || $0 == "." }), number.first != ".",
            let value = Double(number), value.isFinite
        else { return nil }
        return .nanoseconds(Int64((value * scale * 1e9).rounded()))
    }
    return nil
}
