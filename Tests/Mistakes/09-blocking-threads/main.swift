// Lesson 9's mistakes: each file is the reference solution with one common mistake, chosen by
// the NETLAB_MISTAKE environment variable. The lesson tests grade each one against the check its
// `// fails:` line names.
import Foundation

switch ProcessInfo.processInfo.environment["NETLAB_MISTAKE"] {
case "first-frame-in-accept-loop": FirstFrameInAcceptLoop.main()
case "threads-never-end": ThreadsNeverEnd.main()
case "leaks-descriptor": LeaksDescriptor.main()
case "single-read": SingleRead.main()
default:
    FileHandle.standardError.write(
        Data("set NETLAB_MISTAKE to first-frame-in-accept-loop, threads-never-end, leaks-descriptor or single-read\n".utf8))
    exit(2)
}
