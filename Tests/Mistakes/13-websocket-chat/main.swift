// Lesson 13's mistakes: each file is the reference solution with one common mistake, chosen by
// the NETLAB_MISTAKE environment variable. The lesson tests grade each one against the check its
// `// fails:` line names.
import Foundation

switch ProcessInfo.processInfo.environment["NETLAB_MISTAKE"] {
case "accepts-unmasked": AcceptsUnmasked.main()
case "silent-drop": SilentDrop.main()
case "blocking-broadcast": BlockingBroadcast.main()
case "no-pinger": NoPinger.main()
case "no-utf8-check": NoUTF8Check.main()
case "limit-after-read": LimitAfterRead.main()
case "frame-is-message": FrameIsMessage.main()
case "upgrades-anything": UpgradesAnything.main()
default:
    FileHandle.standardError.write(
        Data(
            ("set NETLAB_MISTAKE to accepts-unmasked, silent-drop, blocking-broadcast, no-pinger, no-utf8-check, "
                + "limit-after-read, frame-is-message or upgrades-anything\n").utf8))
    exit(2)
}
