// Lesson 3's mistakes: each file is the reference solution with one common mistake, chosen by
// the NETLAB_MISTAKE environment variable. The lesson tests grade each one against the check its
// `// fails:` line names.
import Foundation

switch ProcessInfo.processInfo.environment["NETLAB_MISTAKE"] {
case "deadline-set-once": DeadlineSetOnce.main()
case "no-write-deadline": NoWriteDeadline.main()
case "timeout-ends-server": TimeoutEndsServer.main()
case "read-all-then-write": ReadAllThenWrite.main()
case "count-from-error-only": CountFromErrorOnly.main()
default:
    FileHandle.standardError.write(
        Data("set NETLAB_MISTAKE to deadline-set-once, no-write-deadline, timeout-ends-server, read-all-then-write or count-from-error-only\n".utf8))
    exit(2)
}
