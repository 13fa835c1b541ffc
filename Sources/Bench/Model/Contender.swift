import CheckRuntime

/// One program a bench measures: the reference solution, the learner's program, or `--cmd`'s.
package struct Contender: Sendable, Equatable {
    package enum Role: String, Sendable, Codable {
        case reference, learner, command
    }

    package var role: Role
    /// What its rows are called: `reference`, `yours`, the `--cmd` text, `9 blocking threads`.
    package var name: String
    /// How to start it; nil when it could not be had (a build that failed).
    package var launch: ProgramLaunch?
    /// Why there is no `launch`, on one line.
    package var unavailable: String?

    package init(role: Role, name: String, launch: ProgramLaunch?, unavailable: String? = nil) {
        self.role = role
        self.name = name
        self.launch = launch
        self.unavailable = unavailable
    }
}
