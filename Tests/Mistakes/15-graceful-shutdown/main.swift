// Lesson 15's mistakes: each file is the reference solution with one common mistake, chosen by
// the NETLAB_MISTAKE environment variable. The lesson tests grade each one against the check its
// `// fails:` line names.
import Foundation

switch ProcessInfo.processInfo.environment["NETLAB_MISTAKE"] {
case "exits-at-once": ExitsAtOnce.main()
case "drops-queued": DropsQueued.main()
case "waits-forever": WaitsForever.main()
case "keeps-accepting": KeepsAccepting.main()
case "pinger-outlives-connection": PingerOutlivesConnection.main()
case "grace-is-an-error": GraceIsAnError.main()
default:
    FileHandle.standardError.write(
        Data(
            ("set NETLAB_MISTAKE to exits-at-once, drops-queued, waits-forever, keeps-accepting, "
                + "pinger-outlives-connection or grace-is-an-error\n").utf8))
    exit(2)
}
