import CheckLanguage
import Foundation

/// The process contract every lesson program honours (docs/lessonkit.md), checked for `--cmd`
/// programs after the lesson's own checks. LessonKit keeps it for Swift programs by
/// construction; a Go, Rust or C program written from the README alone may not, and should be
/// told, since a program that takes a mistyped flag silently is graded on settings it ignored.
///
/// The checks are built from the lesson script's own header (its upstreams and `start` line),
/// so each bad flag is the only thing wrong with the command line: a lesson 4 program that
/// refuses `--listen` twice is not refusing a missing `--upstream` instead.
package enum ContractChecks {
    /// The contract's checks for `lesson` (a parsed `checks.netlab`), as a script to parse: its
    /// header (the lines before its first check, where its upstreams and `start` line are) and
    /// three checks. A lesson whose checks each start the program themselves (no `start` in the
    /// header) lends the first such check's `upstream` lines and `start` line to every contract
    /// check. Nil when the lesson has no `start` line at all, or no checks.
    package static func script(for lesson: CheckScript) -> String? {
        guard let first = lesson.checks.first,
            first.location.line >= 1, first.location.line <= lesson.sourceLines.count + 1
        else { return nil }
        let header = lesson.sourceLines.prefix(first.location.line - 1)
        let start: StartSpec
        var upstreamLines: [String] = []
        if let defaultStart = lesson.defaultStart {
            start = defaultStart
        } else if let check = lesson.checks.first(where: { $0.start != nil }), let own = check.start {
            start = own
            let from = check.location.line, to = own.location.line - 1
            if from >= 1, to <= lesson.sourceLines.count, from < to {
                upstreamLines = lesson.sourceLines[from..<to]
                    .map { $0.trimmingCharacters(in: .whitespaces) }
                    .filter { $0.hasPrefix("upstream ") }
            }
        } else {
            return nil
        }
        guard start.location.line >= 1, start.location.line <= lesson.sourceLines.count else { return nil }
        let startLine =
            (upstreamLines + [lesson.sourceLines[start.location.line - 1].trimmingCharacters(in: .whitespaces)])
            .joined(separator: "\n  ")
        let lineHint = "Print one line, `PROGRAM: MESSAGE`, on stderr and exit with status 2"
        return header.joined(separator: "\n") + """

            check "contract: refuses a flag it does not know"
              hint "\(lineHint) for a flag the lesson does not define: a mistyped flag that is ignored leaves the program running on settings nobody asked for."
              \(startLine) --netlab-no-such-flag 1
              expect server exited status 2 within 5s
              expect server log /./ count == 1

            check "contract: refuses a flag given twice"
              hint "\(lineHint) when a flag that takes one value is given twice: which of the two would win is a guess."
              \(startLine) --listen 127.0.0.1:0
              expect server exited status 2 within 5s
              expect server log /./ count == 1

            check "contract: --help prints the usage on stdout and exits 0"
              hint "--help is not an error: print the usage on stdout, nothing on stderr, and exit with status 0."
              start --help
              expect server exited status 0 within 5s
              expect server no log /./

            """
    }
}
