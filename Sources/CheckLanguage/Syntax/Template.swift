/// Text with `{placeholders}` that the interpreter fills in when a check runs: program flags
/// (`--upstream {up.addr}`), addresses (`connect a to {listen}`) and file paths (`ca {ca}`).
///
/// The parser has already checked that every placeholder is known and every name it mentions is
/// declared, so an interpreter can substitute without further validation.
public struct Template: Sendable, Hashable, CustomStringConvertible {
    public enum Part: Sendable, Hashable {
        case literal(String)
        case placeholder(Placeholder)
    }

    public var parts: [Part]
    public var location: SourceLocation

    public init(parts: [Part], location: SourceLocation) {
        self.parts = parts
        self.location = location
    }

    /// Source form with escaping normalised: `--upstream={up.addr}`.
    public var description: String {
        parts.map { part in
            switch part {
            case .literal(let text):
                return text.replacingBraces()
            case .placeholder(let p):
                return "{\(p)}"
            }
        }.joined()
    }

    /// The template's value when it has no placeholder.
    public var literalValue: String? {
        var out = ""
        for part in parts {
            guard case .literal(let text) = part else { return nil }
            out += text
        }
        return out
    }

    /// Every placeholder, in order.
    public var placeholders: [Placeholder] {
        parts.compactMap { if case .placeholder(let p) = $0 { p } else { nil } }
    }

    /// Fills every placeholder with `value(p)`.
    public func render(_ value: (Placeholder) throws -> String) rethrows -> String {
        var out = ""
        for part in parts {
            switch part {
            case .literal(let text): out += text
            case .placeholder(let p): out += try value(p)
            }
        }
        return out
    }
}

/// A `{…}` in a template.
public enum Placeholder: Sendable, Hashable, CustomStringConvertible {
    /// `{listen}`: the address the server must listen on (netlab learns the real port from the
    /// program's ready line).
    case listen
    /// `{upstream}`: the address of the only upstream declared for the check.
    case upstream
    /// `{metrics}`: a free `127.0.0.1:PORT` that netlab reserved for the check, for a second
    /// listener of the program (lesson 14's `--metrics-listen`); `scrape` reads from it, and
    /// checks that the socket listening there is the program's.
    case metrics
    /// `{ca}`: the PEM file of netlab's development certificate authority.
    case ca
    /// `{cert}`: the PEM certificate for `localhost` (and `*.test` names) signed by that CA.
    case cert
    /// `{key}`: the PEM private key of `{cert}`.
    case key
    /// `{fixtures}`: the absolute path of the lesson's `fixtures` folder.
    case fixtures
    /// `{tmp}`: an empty scratch folder made for this check.
    case tmp
    /// `{NAME.addr}`, `{NAME.host}`, `{NAME.port}`: where upstream NAME listens.
    case upstreamAddress(name: String, field: AddressField)
    /// `{i}`: the current value of an enclosing `repeat … as i` / `parallel … as i`.
    case loopVariable(String)

    public enum AddressField: String, Sendable, Hashable, CaseIterable {
        /// `HOST:PORT`, as `127.0.0.1:40123`.
        case addr
        /// `127.0.0.1`
        case host
        /// `40123`
        case port
    }

    /// The built-in placeholders by name.
    public static let builtIns: [String: Placeholder] = [
        "listen": .listen, "upstream": .upstream, "metrics": .metrics, "ca": .ca, "cert": .cert, "key": .key,
        "fixtures": .fixtures, "tmp": .tmp,
    ]

    public var description: String {
        switch self {
        case .listen: "listen"
        case .upstream: "upstream"
        case .metrics: "metrics"
        case .ca: "ca"
        case .cert: "cert"
        case .key: "key"
        case .fixtures: "fixtures"
        case .tmp: "tmp"
        case .upstreamAddress(let name, let field): "\(name).\(field.rawValue)"
        case .loopVariable(let name): name
        }
    }
}

/// A client or data name, possibly built from loop variables: `a`, `c{i}`, `x{i}y{j}`.
///
/// Static names have a single literal part. The interpreter resolves a name by replacing each
/// variable with the current value of the enclosing loop's counter (0, 1, 2, …).
public struct NameTemplate: Sendable, Hashable, CustomStringConvertible {
    public enum Part: Sendable, Hashable {
        case literal(String)
        case variable(String)
    }

    public var parts: [Part]
    public var location: SourceLocation

    public init(parts: [Part], location: SourceLocation) {
        self.parts = parts
        self.location = location
    }

    /// A name without loop variables.
    public init(_ name: String, location: SourceLocation) {
        self.init(parts: [.literal(name)], location: location)
    }

    /// The name when it has no variable part.
    public var staticName: String? {
        if parts.count == 1, case .literal(let name) = parts[0] { return name }
        return nil
    }

    /// The loop variables the name uses, in order.
    public var variables: [String] {
        parts.compactMap { if case .variable(let v) = $0 { v } else { nil } }
    }

    /// Source form: `c{i}`.
    public var description: String {
        parts.map { part in
            switch part {
            case .literal(let text): text
            case .variable(let name): "{\(name)}"
            }
        }.joined()
    }

    /// The concrete name for the given loop-variable values; nil when a variable has no value.
    public func resolve(_ values: [String: Int]) -> String? {
        var out = ""
        for part in parts {
            switch part {
            case .literal(let text): out += text
            case .variable(let name):
                guard let v = values[name] else { return nil }
                out += String(v)
            }
        }
        return out
    }
}

extension String {
    /// `{` → `{{` and `}` → `}}`, the template escapes.
    func replacingBraces() -> String {
        var out = ""
        for c in self {
            out.append(c)
            if c == "{" || c == "}" { out.append(c) }
        }
        return out
    }
}
