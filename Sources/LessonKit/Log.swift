#if canImport(Glibc)
import Glibc
#endif
import NetCore
import Synchronization

/// The program's event log: one event a line on stderr, unbuffered, safe from any task or thread.
///
/// The format is the one the checks match (see docs/lessonkit.md):
///
/// ```
/// accepted 127.0.0.1:53211
/// closed 127.0.0.1:53211
/// closed 127.0.0.1:53211: i/o timeout
/// sni example.test
/// upstream 127.0.0.1:9000: connection refused
/// ```
///
/// Lines are written with write(2) on descriptor 2, one call per line, so lines from different
/// tasks never interleave. A newline (or any other control character) inside an event is
/// escaped, keeping one event a line.
public final class Log: Sendable {
    private let lock = Mutex(())
    private let readyDone = Atomic<Bool>(false)

    public init() {}

    /// Writes one event line. Control characters are escaped (`\n`, `\r`, `\x00`), so that an
    /// event is always one line of text, even when it quotes bytes a client sent (a host name
    /// with a NUL in it would otherwise make the whole log binary to `grep`). Tabs stay.
    public func event(_ text: String) {
        let line = Log.oneLine(text) + "\n"
        lock.withLock { _ in writeAll(2, Array(line.utf8)) }
    }

    /// `text` with its control characters escaped (tabs kept).
    static func oneLine(_ text: String) -> String {
        // Most lines have nothing to escape: pass them through. (UTF-8 bytes below 0x80 are
        // ASCII characters, so looking at bytes finds exactly the scalars escaped below.)
        if !text.utf8.contains(where: { ($0 < 0x20 && $0 != 0x09) || $0 == 0x7f }) { return text }
        var line = ""
        // Unicode scalars, not Characters: "\r\n" is one Character and would slip through.
        for scalar in text.unicodeScalars {
            switch scalar.value {
            case 0x0a: line += "\\n"
            case 0x0d: line += "\\r"
            case 0x09: line.unicodeScalars.append(scalar)
            case 0x00..<0x20, 0x7f:
                let hex = String(scalar.value, radix: 16)
                line += "\\x" + (hex.count < 2 ? "0" + hex : hex)
            default: line.unicodeScalars.append(scalar)
            }
        }
        return line
    }

    /// `accepted ADDRESS`
    public func accepted(_ peer: SocketAddress) { event("accepted \(peer)") }

    /// `closed ADDRESS` or `closed ADDRESS: REASON` (the error's reason, such as `i/o timeout`).
    public func closed(_ peer: SocketAddress, error: (any Error)? = nil) {
        if let error { event("closed \(peer): \(Log.reason(error))") } else { event("closed \(peer)") }
    }

    /// `sni NAME` (or `sni none` when the client sent no server name).
    public func sni(_ name: String?) { event("sni \(name ?? "none")") }

    /// `error: TEXT`
    public func error(_ text: String) { event("error: \(text)") }

    /// The short reason of an error: NetError's Go-style reason (`i/o timeout`,
    /// `connection reset by peer`), else its description.
    public static func reason(_ error: any Error) -> String { NetError.reason(of: error) }

    /// Prints the ready line `netlab: listening on HOST:PORT` on stdout, once; later calls do
    /// nothing. The checker waits for this line before it connects.
    public func ready(_ address: SocketAddress) { ready(address.description) }

    /// The same, with the address as text.
    public func ready(_ address: String) {
        guard !readyDone.exchange(true, ordering: .acquiringAndReleasing) else { return }
        writeAll(1, Array("netlab: listening on \(address)\n".utf8))
    }
}

/// Writes all bytes to a descriptor, retrying on EINTR and short writes; gives up on other errors
/// (a closed stderr must never crash the program).
func writeAll(_ fd: Int32, _ bytes: [UInt8]) {
    bytes.withUnsafeBytes { raw in
        var offset = 0
        while offset < raw.count {
            let n = Glibc.write(fd, raw.baseAddress! + offset, raw.count - offset)
            if n > 0 { offset += n } else if n < 0 && errno == EINTR { continue } else { return }
        }
    }
}
