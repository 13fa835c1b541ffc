// netlab: the command-line tool. Argument parsing and commands live in Workbook (NetlabCLI) so
// they can be tested; this file only wires the real console, the environment and the check
// runner together.
import Foundation
import Workbook

/// The check runner (Workbook's CheckRunner) plugged into the CLI's grading seam: `netlab check`
/// and `netlab watch` grade through it. Ctrl-C stops the lesson programs it started.
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
