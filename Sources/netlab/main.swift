// netlab: the command-line tool. Everything it does lives in NetlabCommandLine, where it can be
// tested; this file only hands it the process's arguments.
import Foundation
import NetlabCommandLine

exit(await NetlabCLI.main(arguments: CommandLine.arguments))
