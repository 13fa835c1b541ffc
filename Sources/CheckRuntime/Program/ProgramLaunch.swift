/// How to start the program under test.
public struct ProgramLaunch: Sendable, Equatable {
    /// A path (`.build/debug/lesson04`, `./myproxy`) or a name looked up in `PATH` (`python3`).
    public var executable: String
    /// Arguments that come before the script's `start` flags (for `--cmd "python3 proxy.py"`:
    /// `["proxy.py"]`).
    public var arguments: [String]
    /// Extra environment variables, added to netlab's own environment.
    public var environment: [String: String]
    public init(executable: String, arguments: [String] = [], environment: [String: String] = [:]) {
        self.executable = executable
        self.arguments = arguments
        self.environment = environment
    }
}

/// Why the program could not be started at all.
public struct LaunchError: Error, Sendable, CustomStringConvertible {
    public var description: String
}
