// Lesson 10's mistakes: each file is the reference solution with one common mistake, chosen by
// the NETLAB_MISTAKE environment variable. The lesson tests grade each one against the check its
// `// fails:` line names.
import Foundation

switch ProcessInfo.processInfo.environment["NETLAB_MISTAKE"] {
case "footer-search": FooterSearch.main()
case "shared-buffer": SharedBuffer.main()
case "blocking-read": BlockingRead.main()
case "every-error-is-nothing-yet": EveryErrorIsNothingYet.main()
case "sleeps-between-turns": SleepsBetweenTurns.main()
default:
    FileHandle.standardError.write(
        Data(
            "set NETLAB_MISTAKE to footer-search, shared-buffer, blocking-read, every-error-is-nothing-yet or sleeps-between-turns\n"
                .utf8))
    exit(2)
}
