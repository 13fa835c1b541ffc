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
default:
    FileHandle.standardError.write(Data("set NETLAB_MISTAKE to one-read, first-record-only, no-deadline, deadline-per-read, trusts-lengths, first-extension-only or no-size-cap\n".utf8))
    exit(2)
}
