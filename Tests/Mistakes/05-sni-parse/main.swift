// Lesson 5's mistakes: each file is the reference solution with one common mistake, chosen by
// the NETLAB_MISTAKE environment variable. The lesson tests grade each one against the check its
// `// fails:` line names.
import Foundation

switch ProcessInfo.processInfo.environment["NETLAB_MISTAKE"] {
case "one-read": OneRead.main()
case "first-record-only": FirstRecordOnly.main()
case "no-deadline": NoDeadline.main()
case "deadline-per-read": DeadlinePerRead.main()
case "trusts-lengths": TrustsLengths.main()
case "first-extension-only": FirstExtensionOnly.main()
case "no-size-cap": NoSizeCap.main()
case "returns-second-name": ReturnsSecondName.main()
case "truncates-at-nul": TruncatesAtNUL.main()
case "rejects-unusual-record-version": RejectsUnusualRecordVersion.main()
case "lookup": Lookup.main()
default:
    FileHandle.standardError.write(
        Data(
            "set NETLAB_MISTAKE to one-read, first-record-only, no-deadline, deadline-per-read, trusts-lengths, first-extension-only, no-size-cap, returns-second-name, truncates-at-nul, rejects-unusual-record-version or lookup\n"
                .utf8))
    exit(2)
}
