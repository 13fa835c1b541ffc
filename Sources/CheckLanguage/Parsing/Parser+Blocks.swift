/// The `repeat` and `parallel` blocks of a check: opening, nesting and their `end`.
extension ScriptParser {
    // MARK: Blocks

    func append(_ step: Step) {
        if !blocks.isEmpty {
            blocks[blocks.count - 1].steps.append(step)
        } else {
            current?.check.steps.append(step)
        }
    }

    func openBlock(_ block: Block) {
        blocks.append(block)
    }

    func openBrokenBlock(_ command: String, _ cursor: inout Cursor, at: SourceLocation) {
        var variable: String? = nil
        let tokens = cursor.line.tokens
        if let asIndex = tokens.firstIndex(where: { $0.kind == .word && $0.text == "as" }), asIndex + 1 < tokens.count,
            tokens[asIndex + 1].kind == .word, Scope.isIdentifier(tokens[asIndex + 1].text)
        {
            variable = tokens[asIndex + 1].text
        }
        blocks.append(Block(command: command, count: 0, variable: variable, broken: true, location: at))
    }

    func endBlock(at: SourceLocation) {
        guard let block = blocks.popLast() else {
            if current != nil {
                record(
                    ScriptError(
                        "`end` without a `repeat` or `parallel` to close; a check needs no `end`: it ends at the next `check` line or at the end of the file",
                        at: at))
            } else {
                record(ScriptError("`end` without a `repeat` or `parallel` to close", at: at))
            }
            return
        }
        guard !block.broken, !blocks.contains(where: \.broken) else { return }
        let loop = Loop(count: block.count, variable: block.variable, body: block.steps, location: block.location)
        append(block.command == "parallel" ? .parallel(loop) : .repeat(loop))
    }
}
