// netlab: the command-line tool. Argument parsing and commands live in Workbook (NetlabCLI) so
// they can be tested; this file only wires the real console, the environment and the check
// runner together.
import Foundation
import Workbook

/// The check runner. Until it is plugged in, `netlab check` and `netlab watch` say plainly that
/// it is not built and exit 3; they never pretend that anything passed.
///
/// To plug it in (see docs/cli.md, "For the integrator"):
///
///     let grader: (any LessonGrader)? = ScriptLessonGrader { script, lessonDirectory, program, options, onResult in
///         await CheckRunner(script: script, lessonDirectory: lessonDirectory,
///                           program: ProgramLaunch(executable: program.executable, arguments: program.arguments),
///                           options: RunOptions(verbose: options.verbose))
///             .run(onResult: onResult)
///     }
///
/// and below, `cli.onInterrupt = { ServerProcess.killAll() }` so Ctrl-C stops the lesson programs.
let grader: (any LessonGrader)? = ScriptLessonGrader { script, lessonDirectory, program, options, onResult in
    await CheckRunner(script: script, lessonDirectory: lessonDirectory,
                      program: ProgramLaunch(executable: program.executable, arguments: program.arguments),
                      options: RunOptions(verbose: options.verbose))
        .run(onResult: onResult)
}

let environment = ProcessInfo.processInfo.environment
var cli = NetlabCLI(
    console: .standard(environment: environment),
    environment: environment,
    workingDirectory: URL(fileURLWithPath: FileManager.default.currentDirectoryPath),
    grader: grader
)
cli.handlesInterrupts = true
cli.onInterrupt = { ServerProcess.killAll() }
let status = await cli.run(Array(CommandLine.arguments.dropFirst()))
exit(status)
