// mistake: footer-search
// fails: reads each frame by its length, even when a value holds the footer
//
// Finds the end of a frame by searching the buffer for the footer, as the article's reader does:
// a value that holds the bytes 0d 0a 0d 0a cuts its frame short, and the rest is garbage.
import LessonKit
import Syscall

enum FooterSearch {
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
                while let at = firstFooter(in: client.input) {
                    let frame = client.input[..<(at + 4)]
                    let request = try KeyValueMessage(decoding: frame.dropFirst(4).dropLast(4))
                    client.output += try KeyValueFrame.encode(answer(request, store: &store))
                    client.input.removeFirst(at + 4)
                }
                try client.flush()
            } catch SyscallError.wouldBlock {
            } catch let error as SyscallError {
                client.close(log: log, error: error)
            } catch {
                client.close(log: log, protocolError: "\(error)")
            }
        })
    }

    static func firstFooter(in bytes: [UInt8]) -> Int? {
        guard bytes.count >= 4 else { return nil }
        return (0...(bytes.count - 4)).first { bytes[$0..<($0 + 4)].elementsEqual(KeyValueFrame.footer) }
    }
}
