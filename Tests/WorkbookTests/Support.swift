@testable import CheckLanguage
@testable import CheckRuntime
@testable import NetlabCommandLine
import Testing
@testable import Workbook

/// Swift Testing has a `SourceLocation` too; this is the script's.
typealias ScriptLocation = CheckLanguage.SourceLocation

/// A location in the test file `checks.netlab`.
func loc(_ line: Int, _ column: Int) -> ScriptLocation {
    ScriptLocation(file: "checks.netlab", line: line, column: column)
}

/// Parses, failing the test with every diagnostic if the script is invalid.
func parseOK(_ source: String, sourceLocation: Testing.SourceLocation = #_sourceLocation) throws -> CheckScript {
    let errors = CheckScript.diagnose(source: source, file: "checks.netlab")
    #expect(errors.isEmpty, "unexpected errors:\n\(errors.map(\.description).joined(separator: "\n"))", sourceLocation: sourceLocation)
    return try CheckScript.parse(source: source, file: "checks.netlab")
}

/// The first error's description (`checks.netlab:L:C: error: …`), or nil if the script parses.
func firstError(_ source: String) -> String? {
    do {
        _ = try CheckScript.parse(source: source, file: "checks.netlab")
        return nil
    } catch {
        return error.description
    }
}

/// The steps of the only check of a script made of a standard header, one check, and `body`.
func steps(_ body: String, header: String = "", sourceLocation: Testing.SourceLocation = #_sourceLocation) throws -> [Step] {
    let script = try parseOK("start --listen {listen}\n\(header)check \"c\"\n\(body)", sourceLocation: sourceLocation)
    return script.checks.first?.steps ?? []
}

/// The first error of a script made of a standard header, one check, and `body` (which starts on
/// line 3, or later when `header` has lines).
func stepError(_ body: String, header: String = "") -> String? {
    firstError("start --listen {listen}\n\(header)check \"c\"\n\(body)")
}

/// A static client name.
func name(_ text: String, _ line: Int, _ column: Int) -> NameTemplate {
    NameTemplate(text, location: loc(line, column))
}

func bytes(_ text: String) -> [UInt8] { Array(text.utf8) }

extension Step {
    var connect: Connect? { if case .connect(let v) = self { v } else { nil } }
    var send: Send? { if case .send(let v) = self { v } else { nil } }
    var clientAction: ClientAction? {
        switch self {
        case .shutdownWrite(let v), .reset(let v), .close(let v): v
        default: nil
        }
    }
    var expectClient: ClientExpectation? { if case .expectClient(let v) = self { v } else { nil } }
    var expectUpstream: UpstreamExpectation? { if case .expectUpstream(let v) = self { v } else { nil } }
    var serverCondition: ServerExpectation.Condition? { if case .expectServer(let v) = self { v.condition } else { nil } }
    var capture: Capture? { if case .capture(let v) = self { v } else { nil } }
    var loop: Loop? {
        switch self {
        case .repeat(let v), .parallel(let v): v
        default: nil
        }
    }
}

extension Expression {
    /// The operands with their signs, without locations: `[(+, capture base), (+, 2)]`.
    var summary: [String] {
        terms.map { term in
            let sign = term.sign == .plus ? "+" : "-"
            switch term.operand {
            case .integer(let n): return "\(sign)\(n)"
            case .size(let n): return "\(sign)\(n)B"
            case .duration(let d): return "\(sign)\(d)"
            case .capture(let name): return "\(sign)$\(name)"
            case .loopVariable(let name): return "\(sign)#\(name)"
            }
        }
    }
}
