import CheckLanguage
import Foundation

/// Why a step did not hold: one sentence of facts, lines that show the evidence, and where.
struct StepFailure: Error, Sendable {
    var message: String
    var details: [String] = []
    var location: SourceLocation
    /// The pattern of a failed `expect server log` step: after the program is stopped, its
    /// stdout is searched for lines that would have matched (printed instead of logged).
    var logPattern: Pattern?
}

/// A problem of the checker or the lesson (a missing fixture, a CA that cannot be made), not of
/// the program under test: the check's status is `error`.
package struct CheckError: Error, Sendable {
    package var message: String

    package init(message: String) { self.message = message }
}
