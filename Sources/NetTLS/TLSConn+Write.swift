#if canImport(Glibc)
import Glibc
#endif
import COpenSSL
import NetCore

extension TLSConn {
    // MARK: Writing

    public func write(_ bytes: UnsafeRawBufferPointer) async throws {
        engine.withLock { writesInFlight += 1 }
        defer { engine.withLock { writesInFlight -= 1 } }
        if engine.withLock({ closed }) { throw closedError("write") }
        try await handshake()
        try await writeLock.lock()
        defer { writeLock.unlock() }
        if bytes.isEmpty {
            if let failure = engine.withLock({ closed ? closedError("write") : writeFailure }) { throw failure }
            return
        }
        var done = 0
        while done < bytes.count {
            let chunk = min(TLSConn.writeChunk, bytes.count - done)
            let outcome: Step = try engine.withLock {
                if closed { throw closedError("write") }
                if let writeFailure { throw writeFailure }
                if closeNotifyQueued {
                    throw TLSError(.shutdown, "write after closeWrite: close_notify was sent, so this side of the TLS stream is finished")
                }
                ERR_clear_error()
                let result = SSL_write(ssl, bytes.baseAddress! + done, Int32(chunk))
                let code = result > 0 ? SSL_ERROR_NONE : SSL_get_error(ssl, result)
                let errors = code == SSL_ERROR_NONE ? [] : OpenSSLErrors.drain()
                outbox.append(draining: wbio)
                return Step(result: result, code: code, errors: errors, hasOutput: !outbox.isEmpty)
            }
            if outcome.result <= 0 {
                // With memory BIOs SSL_write never waits for the socket, so this is a real failure.
                if outcome.hasOutput { try? await flushLocked() }
                throw protocolError(outcome.errors, phase: "write")
            }
            do {
                try await flushLocked()
            } catch var error as NetError {
                error.bytesTransferred = done
                throw error
            }
            done += Int(outcome.result)
        }
    }
}
