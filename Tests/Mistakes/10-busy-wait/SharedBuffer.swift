// mistake: shared-buffer
// fails: frames in pieces on many clients, interleaved
//
// Keeps one input buffer for every client: while frames arrive whole it seems to work, but when
// they come in pieces, the pieces of different clients are glued together into garbage.
import LessonKit
import Syscall

enum SharedBuffer {
    nonisolated(unsafe) static var input: [UInt8] = []

    static func main() -> Never {
        serveBusyWaiting(turn: { client, chunk, store, log in
            do {
                try client.flush()
                let n = try read(client.fd, &chunk)
                if n == 0 {
                    client.close(log: log)
                    return
                }
                input += chunk[..<n]
                var start = 0
                while let frame = try nextFrame(input, from: start) {
                    let request = try KeyValueMessage(decoding: frame.body)
                    client.output += try KeyValueFrame.encode(answer(request, store: &store))
                    start = frame.end
                }
                input.removeFirst(start)
                try client.flush()
            } catch SyscallError.wouldBlock {
            } catch let error as SyscallError {
                client.close(log: log, error: error)
            } catch {
                input.removeAll()
                client.close(log: log, protocolError: "\(error)")
            }
        })
    }
}
