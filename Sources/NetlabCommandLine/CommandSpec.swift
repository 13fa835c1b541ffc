import Workbook

/// What one command takes and how `--help` explains it: made by each ``NetlabCommand`` type from
/// its own declarations (``NetlabCommand/spec``), read by the ``ArgumentParser``.
public struct CommandSpec: Sendable {
    public struct Option: Sendable {
        public var name: String
        /// A one-letter alias (`-v`).
        public var short: Character?
        /// Placeholder for the value (`FILE`); nil for a flag.
        public var value: String?
        /// May be given more than once.
        public var repeats: Bool
        public var help: String

        public init(_ name: String, short: Character? = nil, value: String? = nil, repeats: Bool = false, help: String) {
            self.name = name
            self.short = short
            self.value = value
            self.repeats = repeats
            self.help = help
        }

        /// The option named `name`, written and explained as `form` says.
        public init(_ name: String, _ form: Form) {
            self.init(name, short: form.short, value: form.value, repeats: form.repeats, help: form.help)
        }

        /// An option without its name: what a ``CommandOption`` case says about itself.
        public struct Form: Sendable {
            public var short: Character?
            public var value: String?
            public var repeats: Bool
            public var help: String

            /// A flag: `--verbose`, `-v`.
            public static func flag(short: Character? = nil, help: String) -> Form {
                Form(short: short, value: nil, repeats: false, help: help)
            }

            /// An option with a value: `--json FILE`.
            public static func value(_ placeholder: String, repeats: Bool = false, help: String) -> Form {
                Form(short: nil, value: placeholder, repeats: repeats, help: help)
            }
        }
    }

    public enum Positionals: Sendable {
        case none
        /// Exactly one lesson number.
        case oneLesson
        /// Zero or one lesson number.
        case optionalLesson
        /// Any number of lesson numbers.
        case lessons
        /// One or more files.
        case files
        /// Zero or one word (`netlab api [NAME]`), in ``ParsedCommand/files``.
        case optionalName
    }

    public var name: String
    public var usage: String
    public var summary: String
    public var options: [Option]
    public var positionals: Positionals
    /// Accepts `-- ARGS…`.
    public var passthrough: Bool
    /// Longer text after the options in `--help`.
    public var details: String

    public init(
        name: String, usage: String, summary: String, options: [Option] = [], positionals: Positionals = .none,
        passthrough: Bool = false, details: String = ""
    ) {
        self.name = name
        self.usage = usage
        self.summary = summary
        self.options = options
        self.positionals = positionals
        self.passthrough = passthrough
        self.details = details
    }

    public func help(style: Style = .plain) -> String {
        var out = "\(style.bold("usage:")) \(usage)\n\n\(summary)\n"
        out += "\n\(style.bold("options:"))\n"
        let rows =
            options.map { o -> (String, String) in
                var left = (o.short.map { "-\($0), " } ?? "") + "--\(o.name)"
                if let v = o.value { left += " \(v)" }
                return (left, o.help)
            } + [("-h, --help", "show this help")]
        let width = rows.map(\.0.count).max() ?? 0
        for (l, r) in rows { out += "  " + l.padding(toLength: width + 2) + r + "\n" }
        if !details.isEmpty { out += "\n" + details + "\n" }
        return out
    }
}

extension String {
    func padding(toLength n: Int) -> String { count >= n ? self : self + String(repeating: " ", count: n - count) }
}
