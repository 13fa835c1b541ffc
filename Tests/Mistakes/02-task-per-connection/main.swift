// Lesson 2's mistakes: each file is the reference solution with one common mistake, chosen by
// the NETLAB_MISTAKE environment variable. The lesson tests grade each one against the check its
// `// fails:` line names.
import Foundation

switch ProcessInfo.processInfo.environment["NETLAB_MISTAKE"] {
case "read-in-accept-loop": ReadInAcceptLoop.main()
case "throwing-group": ThrowingGroup.main()
case "task-never-closes": TaskNeverCloses.main()
case "fixed-worker-pool": FixedWorkerPool.main()
case "non-discarding-group": NonDiscardingGroup.main()
case "accept-error-ends-loop": AcceptErrorEndsLoop.main()
case "retries-without-pause": RetriesWithoutPause.main()
case "retries-quietly": RetriesQuietly.main()
default:
    FileHandle.standardError.write(
        Data(
            "set NETLAB_MISTAKE to read-in-accept-loop, throwing-group, task-never-closes, fixed-worker-pool, non-discarding-group, accept-error-ends-loop, retries-without-pause or retries-quietly\n"
                .utf8))
    exit(2)
}
