// mistake: every-error-is-nothing-yet
// fails: tells a reset from wouldBlock, and serves the others on
//
// Catches every error of read as "nothing yet": a client that resets is never closed for its
// error (its reset is swallowed, and the read after it sees an end of stream), so the log never
// says why it went.
import LessonKit
import Syscall

enum EveryErrorIsNothingYet {
    static func main() -> Never {
        serveBusyWaiting(turn: { client, chunk, store, log in
            do {
                try client.flush()
                let n = try read(client.fd, &chunk)
                if n == 0 {
                    client.close(log: log)
                    return
                }
                client.input += chunk[..<n]
                try client.answerWholeFrames(store: &store)
                try client.flush()
            } catch is SyscallError {
                // "nothing yet", whatever it was
            } catch {
                client.close(log: log, protocolError: "\(error)")
            }
        })
    }
}
