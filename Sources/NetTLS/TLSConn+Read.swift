#if canImport(Glibc)
import Glibc
#endif
import COpenSSL
import NetCore

extension TLSConn {
    // MARK: Reading

    public func read(into buffer: UnsafeMutableRawBufferPointer) async throws -> Int {
        if buffer.count == 0 {
            if engine.withLock({ closed }) { throw closedError("read") }
            return 0
        }
        try await handshake()
        try await readLock.lock()
        defer { readLock.unlock() }
        var input = 0
        var eof = false
        while true {
            if let stop: Int = try engine.withLock({ () throws -> Int? in
                if closed { throw closedError("read") }
                return readShut ? 0 : nil
            }) {
                return stop
            }
            let outcome = step(feeding: UnsafeRawBufferPointer(rebasing: inbound[..<input]), eof: eof) {
                SSL_read($0, buffer.baseAddress, Int32(clamping: buffer.count))
            }
            input = 0
            eof = false
            // Reads can produce bytes too (TLS 1.3 key updates, alerts): send them in order.
            // A broken write side must not fail the read, so errors stay with the writer.
            if outcome.hasOutput { try? await flushOutbox() }
            if outcome.result > 0 { return Int(outcome.result) }
            switch outcome.code {
            case SSL_ERROR_ZERO_RETURN:
                return 0  // the peer's close_notify: a clean end of stream
            case SSL_ERROR_WANT_READ:
                if wrappedEOF {
                    // OpenSSL was told about the EOF and still wants more: the stream was cut.
                    throw NetError(.unexpectedEOF, op: "read", address: pairName, detail: "TLS stream ended without close_notify")
                }
                let n = try await wrapped.read(into: inbound)
                if n == 0 {
                    if engine.withLock({ readShut }) { return 0 }
                    wrappedEOF = true
                    eof = true
                } else {
                    input = n
                }
            default:
                if isUnexpectedEOF(outcome.errors) || (outcome.code == SSL_ERROR_SYSCALL && wrappedEOF) {
                    throw NetError(.unexpectedEOF, op: "read", address: pairName, detail: "TLS stream ended without close_notify")
                }
                throw protocolError(outcome.errors, phase: "read")
            }
        }
    }
}
