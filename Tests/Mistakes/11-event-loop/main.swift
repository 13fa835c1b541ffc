// Lesson 11's mistakes: each file is the reference solution with one common mistake, chosen by
// the NETLAB_MISTAKE environment variable. The lesson tests grade each one against the check its
// `// fails:` line names.
import Foundation

switch ProcessInfo.processInfo.environment["NETLAB_MISTAKE"] {
case "always-epollout": AlwaysEpollout.main()
case "no-write-buffer": NoWriteBuffer.main()
case "unbounded-output": UnboundedOutput.main()
case "never-closes": NeverCloses.main()
case "forgets-buffered-requests": ForgetsBufferedRequests.main()
default:
    FileHandle.standardError.write(
        Data(
            "set NETLAB_MISTAKE to always-epollout, no-write-buffer, unbounded-output, never-closes or forgets-buffered-requests\n"
                .utf8))
    exit(2)
}
