// Lesson 4's mistakes: each file is the reference solution with one common mistake, chosen by
// the NETLAB_MISTAKE environment variable. The lesson tests grade each one against the check its
// `// fails:` line names.
import Foundation

switch ProcessInfo.processInfo.environment["NETLAB_MISTAKE"] {
case "close-on-first-end": CloseOnFirstEnd.main()
case "no-half-close": NoHalfClose.main()
case "upstream-never-closed": UpstreamNeverClosed.main()
case "dial-error-ends-server": DialErrorEndsServer.main()
case "errors-as-eof": ErrorsAsEOF.main()
case "dial-without-timeout": DialWithoutTimeout.main()
case "closes-both-on-upstream-end": ClosesBothOnUpstreamEnd.main()
default:
    FileHandle.standardError.write(
        Data(
            "set NETLAB_MISTAKE to close-on-first-end, no-half-close, upstream-never-closed, dial-error-ends-server, errors-as-eof, dial-without-timeout or closes-both-on-upstream-end\n"
                .utf8))
    exit(2)
}
