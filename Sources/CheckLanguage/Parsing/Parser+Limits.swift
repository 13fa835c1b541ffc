/// The bounds of `ScriptLimits` that depend on more than one token: `random` data across the
/// copies of `parallel` blocks, copies of nested `parallel` blocks, and the pieces of a `send`.
extension ScriptParser {
    /// The most copies of a step that nested `parallel` blocks may run at once.
    static var maximumParallelCopies: Int { maximumParallel }

    /// How many copies of a step at this point run at once: the product of the counts of the
    /// enclosing `parallel` blocks (1 outside them).
    var parallelCopies: Int {
        var copies = 1
        for block in blocks where block.command == "parallel" && !block.broken {
            let (product, overflow) = copies.multipliedReportingOverflow(by: block.count)
            copies = overflow ? Int.max : product
        }
        return copies
    }

    /// `parallel N` inside other `parallel` blocks: all of them together run at most
    /// `maximumParallelCopies` copies at once.
    func checkParallelCopies(_ count: Int, at location: SourceLocation) throws(ScriptError) {
        let outer = parallelCopies
        guard outer > 1 else { return }
        let (total, overflow) = outer.multipliedReportingOverflow(by: count)
        if overflow || total > Self.maximumParallelCopies {
            throw ScriptError(
                "`parallel \(count)` inside `parallel` blocks that already run \(outer) copies would run "
                    + "\(overflow ? "more than \(Int.max)" : "\(total)") copies at once; expected at most "
                    + "\(Self.maximumParallelCopies) across nested `parallel` blocks", at: location)
        }
    }

    /// `random SIZE` inside `parallel` blocks: the copies together hold at most
    /// `ScriptLimits.parallelRandomBytes`.
    func checkRandomCopies(_ size: Int, at location: SourceLocation) throws(ScriptError) {
        let copies = parallelCopies
        guard copies > 1 else { return }
        let (total, overflow) = size.multipliedReportingOverflow(by: copies)
        if overflow || total > ScriptLimits.parallelRandomBytes {
            throw ScriptError(
                "\(copies) copies of `random \(NumberLiteral.sizeText(size))` in `parallel` would hold "
                    + "\(overflow ? "more than 8EiB" : NumberLiteral.sizeText(total)) at once; expected at most "
                    + "\(NumberLiteral.sizeText(ScriptLimits.parallelRandomBytes)) across the copies", at: location)
        }
    }

    /// A `send` whose payload size is known when the script is parsed cuts it into at most
    /// `ScriptLimits.pieces` pieces (other payloads are checked when the step runs).
    func checkPieces(_ delivery: Delivery, payloadSize: Int, at location: SourceLocation) throws(ScriptError) {
        let count = delivery.pieceCount(total: payloadSize)
        guard count > ScriptLimits.pieces else { return }
        throw ScriptError(
            "`in chunks of` cuts \(NumberLiteral.sizeText(payloadSize)) into \(count) pieces; expected at most "
                + "\(ScriptLimits.pieces) pieces, so use larger chunks", at: location)
    }
}

extension Delivery {
    /// How many pieces `pieceSizes(total:)` makes, without making them.
    public func pieceCount(total: Int) -> Int {
        guard total > 0 else { return 0 }
        switch chunking {
        case .size(let size):
            let size = max(1, size)
            return total / size + (total % size == 0 ? 0 : 1)
        case .count(let n):
            return max(1, min(n, total))
        }
    }
}
