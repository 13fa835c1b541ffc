// netlab: the command-line tool. Argument parsing and commands live in Workbook (NetlabCLI) so
// they can be tested; this file only wires the real console, the environment and the check
// runner together.
import Foundation
import NetCore
import Workbook

/// The check runner (Workbook's CheckRunner) plugged into the CLI's grading seam: `netlab check`
/// and `netlab watch` grade through it. Ctrl-C stops the lesson programs it started.
let grader: (any LessonGrader)? = ScriptLessonGrader { script, lessonDirectory, program, options, onResult in
    await CheckRunner(script: script, lessonDirectory: lessonDirectory,
                      program: ProgramLaunch(executable: program.executable, arguments: program.arguments),
                      options: RunOptions(verbose: options.verbose))
        .run(onResult: onResult)
}

// `netlab __watchdog PID`: this process is another netlab's watchdog (Watchdog.swift).
if CommandLine.arguments.count == 3, CommandLine.arguments[1] == Watchdog.subcommand {
    Watchdog.run(watching: CommandLine.arguments[2])
}
// Whatever this netlab starts is stopped even if it is killed outright.
Watchdog.start()

// The checker holds a client socket for each of a check's connections (lesson 2 opens 1,000).
raiseDescriptorLimit()

let environment = ProcessInfo.processInfo.environment
var cli = NetlabCLI(
    console: .standard(environment: environment),
    environment: environment,
    workingDirectory: URL(fileURLWithPath: FileManager.default.currentDirectoryPath),
    grader: grader
)
cli.handlesInterrupts = true
cli.commandName = suggestedCommandName(environment: environment)
cli.onInterrupt = { ServerProcess.killAll() }
// Every child of this process is started by netlab: an orphan it adopted is a daemon some
// program left behind, to stop and reap.
ServerProcess.stopAdoptedOrphans()
let status = await cli.run(Array(CommandLine.arguments.dropFirst()))
exit(status)

/// `swift run netlab` when this binary was started from a build folder (`swift run netlab`, as
/// the README says) and no `netlab` command is on the PATH; else `netlab`. The commands netlab
/// suggests ("Check: netlab check 1") must be ones the learner can type as they are.
func suggestedCommandName(environment: [String: String]) -> String {
    // `swift run` passes the bare product name as argv[0]; the binary's real path tells.
    let executable = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? ""
    guard executable.contains("/.build/") else { return "netlab" }
    let onPath = (environment["PATH"] ?? "").split(separator: ":").contains {
        FileManager.default.isExecutableFile(atPath: "\($0)/netlab")
    }
    return onPath ? "netlab" : "swift run netlab"
}
