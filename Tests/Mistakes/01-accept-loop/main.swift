// Lesson 1's mistakes: each file is the reference solution with one common mistake, chosen by
// the NETLAB_MISTAKE environment variable. The lesson tests grade each one against the check its
// `// fails:` line names.
import Foundation

switch ProcessInfo.processInfo.environment["NETLAB_MISTAKE"] {
case "text-lines": TextLines.main()
case "no-close": NoClose.main()
case "reset-ends-server": ResetEndsServer.main()
case "no-byte-count": NoByteCount.main()
case "errors-swallowed": ErrorsSwallowed.main()
case "logs-own-address": LogsOwnAddress.main()
default:
    FileHandle.standardError.write(Data("set NETLAB_MISTAKE to text-lines, no-close, reset-ends-server, no-byte-count, errors-swallowed or logs-own-address\n".utf8))
    exit(2)
}
