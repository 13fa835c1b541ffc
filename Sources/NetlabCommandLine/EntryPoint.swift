import CheckRuntime
import Foundation
import NetCore
import ProcessSupervision

extension NetlabCLI {
    /// The `netlab` program: `Sources/netlab/main.swift` calls this with the process's arguments
    /// and exits with what it returns. `@concurrent`: off the main actor that top-level code
    /// runs on, on the global executor, as before SE-0461.
    @concurrent public static func main(arguments: [String]) async -> Int32 {
        // `netlab __watchdog PID`: this process is another netlab's watchdog (Watchdog.swift).
        if arguments.count == 3, arguments[1] == Watchdog.subcommand {
            Watchdog.run(watching: arguments[2])
        }
        // Whatever this netlab starts is stopped even if it is killed outright.
        Watchdog.start()
        // The checker holds a client socket for each of a check's connections (lesson 2 opens 1,000).
        raiseDescriptorLimit()

        let environment = ProcessInfo.processInfo.environment
        var cli = NetlabCLI(
            console: .standard(environment: environment),
            environment: environment,
            workingDirectory: URL(fileURLWithPath: FileManager.default.currentDirectoryPath)
        )
        cli.handlesInterrupts = true
        cli.commandName = suggestedCommandName(environment: environment)
        // Every child of this process is started by netlab: an orphan it adopted is a daemon some
        // program left behind, to stop and reap.
        ServerProcess.stopAdoptedOrphans()
        return await cli.run(Array(arguments.dropFirst()))
    }

    /// `swift run netlab` when this binary was started from a build folder (`swift run netlab`, as
    /// the README says) and no `netlab` command is on the PATH; else `netlab`. The commands netlab
    /// suggests ("Check: netlab check 1") must be ones the learner can type as they are.
    static func suggestedCommandName(environment: [String: String]) -> String {
        // `swift run` passes the bare product name as argv[0]; the binary's real path tells.
        let executable = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? ""
        guard executable.contains("/.build/") else { return "netlab" }
        let onPath = (environment["PATH"] ?? "").split(separator: ":").contains {
            FileManager.default.isExecutableFile(atPath: "\($0)/netlab")
        }
        return onPath ? "netlab" : "swift run netlab"
    }
}
