// Lesson 8's mistakes: each file is the reference solution with one common mistake, chosen by
// the NETLAB_MISTAKE environment variable. The lesson tests grade each one against the check its
// `// fails:` line names.
import Foundation

switch ProcessInfo.processInfo.environment["NETLAB_MISTAKE"] {
case "single-read": SingleRead.main()
case "footer-search": FooterSearch.main()
case "no-size-cap": NoSizeCap.main()
case "no-footer-check": NoFooterCheck.main()
case "store-per-connection": StorePerConnection.main()
case "missing-is-empty": MissingIsEmpty.main()
case "handles-in-accept-loop": HandlesInAcceptLoop.main()
default:
    FileHandle.standardError.write(
        Data(
            ("set NETLAB_MISTAKE to single-read, footer-search, no-size-cap, no-footer-check, store-per-connection, "
                + "missing-is-empty or handles-in-accept-loop\n").utf8))
    exit(2)
}
