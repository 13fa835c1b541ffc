// Lesson 12's mistakes: each file is the reference solution with one common mistake, chosen by
// the NETLAB_MISTAKE environment variable. The lesson tests grade each one against the check its
// `// fails:` line names.
import Foundation

switch ProcessInfo.processInfo.environment["NETLAB_MISTAKE"] {
case "retries-without-pause": runForwarder(RetriesWithoutPause.variant)
case "no-cap": runForwarder(NoCap.variant)
case "no-jitter": runForwarder(NoJitter.variant)
case "retries-permanent-errors": runForwarder(RetriesPermanentErrors.variant)
case "dial-without-timeout": runForwarder(DialWithoutTimeout.variant)
case "unbounded-buffer": runForwarder(UnboundedBuffer.variant)
case "does-not-watch-upstream": runForwarder(DoesNotWatchUpstream.variant)
default:
    FileHandle.standardError.write(
        Data(
            ("set NETLAB_MISTAKE to retries-without-pause, no-cap, no-jitter, retries-permanent-errors, dial-without-timeout, "
                + "unbounded-buffer or does-not-watch-upstream\n").utf8))
    exit(2)
}
