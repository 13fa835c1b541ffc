/// Checked arithmetic on the right side of a comparison (`base + 2`, `mem + 16MiB`): a sum that
/// does not fit in 64 bits is an error with a place, never a trap.
extension Expression {
    /// The sum of the terms in the expression's unit (a count, bytes, or nanoseconds for a
    /// duration), with `value` giving each operand's; nil when a partial sum overflows.
    public func checkedSum(_ value: (Operand) throws -> Int64?) rethrows -> Int64? {
        var total: Int64 = 0
        for term in terms {
            guard let v = try value(term.operand) else { return nil }
            let (sum, overflow) = term.sign == .plus ? total.addingReportingOverflow(v) : total.subtractingReportingOverflow(v)
            if overflow { return nil }
            total = sum
        }
        return total
    }

    /// A literal operand's value in the expression's unit; nil for names, known only at run time.
    public static func literalValue(_ operand: Operand) -> Int64? {
        switch operand {
        case .integer(let n), .size(let n): Int64(n)
        case .duration(let d): d.checkedNanoseconds
        case .capture, .loopVariable: nil
        }
    }

    /// The first literal term at which the sum of the literal terms (names left out) no longer
    /// fits in 64 bits, or nil when it always does. The parser reports it; names are checked
    /// when the step runs.
    func firstOverflowingLiteral() -> Term? {
        var total: Int64 = 0
        for term in terms {
            guard let v = Self.literalValue(term.operand) else { continue }
            let (sum, overflow) = term.sign == .plus ? total.addingReportingOverflow(v) : total.subtractingReportingOverflow(v)
            if overflow { return term }
            total = sum
        }
        return nil
    }
}

extension Duration {
    /// Whole nanoseconds, or nil when they do not fit in an `Int64` (about 292 years).
    public var checkedNanoseconds: Int64? {
        let (seconds, attoseconds) = components
        let (whole, o1) = seconds.multipliedReportingOverflow(by: 1_000_000_000)
        let (total, o2) = whole.addingReportingOverflow(attoseconds / 1_000_000_000)
        return o1 || o2 ? nil : total
    }
}
