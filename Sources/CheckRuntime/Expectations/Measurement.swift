import CheckLanguage
import CheckResults
import Foundation

/// A value remembered by `fds|rss|cpu as NAME`.
enum Measured: Sendable {
    case count(Int)
    case duration(Duration)
}

extension ProcessMetrics {
    /// The value of one metric, as a comparison sees it.
    func measured(_ metric: Metric) -> Measured {
        switch metric {
        case .fds: .count(fds)
        case .sockets: .count(sockets)
        case .threads: .count(threads)
        case .rss: .count(rss)
        case .peakRSS: .count(peakRSS)
        case .cpu: .duration(cpu)
        }
    }
}

/// Values a check measures and compares: metrics, captures, and expressions over them.
extension CheckExecution {
    /// The value of `expression`, in checked arithmetic: a sum beyond 64 bits fails the step.
    func evaluate(_ expression: CheckLanguage.Expression, vars: [String: Int], at location: SourceLocation) throws -> Measured {
        let sum = try expression.checkedSum { operand throws -> Int64? in
            switch operand {
            case .loopVariable(let name): return Int64(vars[name] ?? 0)
            case .capture(let name):
                switch captures.withLock({ $0[name] }) {
                case .count(let n)?: return Int64(n)
                case .duration(let d)?: return d.checkedNanoseconds
                case nil: throw StepFailure(message: "`\(name)` was never measured (its capture step did not run)", location: location)
                }
            default: return CheckLanguage.Expression.literalValue(operand)
            }
        }
        guard let sum, let count = Int(exactly: sum) else {
            throw StepFailure(message: "`\(expressionText(expression))` overflows: its value does not fit in 64 bits", location: location)
        }
        return expression.quantity == .duration ? .duration(.nanoseconds(sum)) : .count(count)
    }

    func text(_ value: Measured, _ quantity: Quantity) -> String {
        switch value {
        case .count(let n): quantity == .bytes ? Bytes.size(n) : "\(n)"
        case .duration(let d): seconds(d)
        }
    }

    func expressionText(_ e: CheckLanguage.Expression) -> String {
        var out = ""
        for (i, term) in e.terms.enumerated() {
            if i > 0 { out += term.sign == .plus ? " + " : " - " } else if term.sign == .minus { out += "-" }
            switch term.operand {
            case .integer(let n): out += "\(n)"
            case .size(let n): out += Bytes.size(n).replacingOccurrences(of: " ", with: "")
            case .duration(let d): out += d.scriptText
            case .capture(let name), .loopVariable(let name): out += name
            }
        }
        return out
    }
}

func compare<T: Comparable>(_ a: T, _ op: Comparison.Operator, _ b: T) -> Bool {
    switch op {
    case .less: a < b
    case .lessOrEqual: a <= b
    case .equal: a == b
    case .notEqual: a != b
    case .greaterOrEqual: a >= b
    case .greater: a > b
    }
}
