// Lesson 1's mistakes: each file is the reference solution with one common mistake, chosen by
// the NETLAB_MISTAKE environment variable. The lesson tests grade each one against the check its
// `// fails:` line names.
import Foundation
import LessonKit
import NetCore

switch ProcessInfo.processInfo.environment["NETLAB_MISTAKE"] {
case "text-lines": TextLines.main()
case "no-close": NoClose.main()
case "reset-ends-server": ResetEndsServer.main()
case "no-byte-count": NoByteCount.main()
case "errors-swallowed": ErrorsSwallowed.main()
case "logs-own-address": LogsOwnAddress.main()
case "read-reset-ends-server": ReadResetEndsServer.main()
case "claims-reset-early": ClaimsResetEarly.main()
default:
    FileHandle.standardError.write(
        Data(
            "set NETLAB_MISTAKE to text-lines, no-close, reset-ends-server, no-byte-count, errors-swallowed, logs-own-address, read-reset-ends-server or claims-reset-early\n"
                .utf8))
    exit(2)
}

/// The lesson's accept loop, one connection at a time, with `handle` serving each. An error
/// `handle` throws ends the loop and the server, which is what reset-ends-server is about.
func acceptEach(_ handle: @escaping @Sendable (TCPConn, Log) async throws -> Void) -> Never {
    LessonProgram.run { options, log in
        let listener = try TCPListener.listen(address: options.listen)
        log.ready(listener.address)
        while true {
            let conn = try await listener.accept()
            try await handle(conn, log)
        }
    }
}
