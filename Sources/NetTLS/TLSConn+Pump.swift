#if canImport(Glibc)
import Glibc
#endif
import COpenSSL
import NetCore

extension TLSConn {
    // MARK: Pumping bytes: the engine's memory BIOs into the outbox, and the outbox onto the wire

    /// One step of the engine: clear the error queue, make the call, read the outcome, and
    /// move whatever OpenSSL wrote into the outbox. Runs with the engine lock held.
    struct Step {
        var result: Int32
        var code: Int32
        var errors: [OpenSSLErrorEntry]
        var hasOutput: Bool
    }

    func step(feeding input: UnsafeRawBufferPointer? = nil, eof: Bool = false, _ call: (OpaquePointer) -> Int32) -> Step {
        engine.withLock {
            if let input, input.count > 0 { _ = BIO_write(rbio, input.baseAddress, Int32(input.count)) }
            if eof { _ = netlab_BIO_set_mem_eof_return(rbio, 0) }
            ERR_clear_error()
            let result = call(ssl)
            let code = result > 0 ? SSL_ERROR_NONE : SSL_get_error(ssl, result)
            let errors = (code == SSL_ERROR_SSL || code == SSL_ERROR_SYSCALL) ? OpenSSLErrors.drain() : []
            outbox.append(draining: wbio)
            return Step(result: result, code: code, errors: errors, hasOutput: !outbox.isEmpty)
        }
    }

    /// Sends everything in the outbox; takes the write lock.
    func flushOutbox() async throws {
        try await writeLock.lock()
        defer { writeLock.unlock() }
        try await flushLocked()
    }

    /// Sends everything in the outbox, oldest first, until it is empty. Caller holds `writeLock`.
    /// A failure is permanent: the record stream has a hole now.
    func flushLocked() async throws {
        while true {
            let failure: (any Error)? = engine.withLock {
                if writeFailure == nil, !outbox.isEmpty { swap(&outbox, &sending) }
                return writeFailure
            }
            if let failure { throw failure }
            if sending.isEmpty { return }
            do {
                try await wrapped.write(sending.bytes)
                sending.removeAll()
            } catch {
                sending.removeAll()
                engine.withLock { if writeFailure == nil { writeFailure = error } }
                throw error
            }
        }
    }
}
