import CheckLanguage
import CheckResults
import NetCore
import NetTLS
import Synchronization

/// The faults of an `echo` or `sink` upstream (``UpstreamFaults``): down for a while, reset the
/// first connections at once, close the first kept one mid-stream; and the waits between
/// connections that they let a check measure.
extension UpstreamPeer {
    /// `down for T`: after T, listen on the reserved port, then let the reservation go.
    func comeUp(after delay: Duration, tls: TLSServerConfig?, transcript: Transcript) {
        let task = Task { [self] in
            try? await Task.sleep(for: delay)
            guard !Task.isCancelled, !stopped.withLock({ $0 }) else { return }
            let listener: TCPListener
            do {
                listener = try TCPListener.listen(address: address)
            } catch {
                transcript.add("upstream \(name)", "could not come up at \(address): \(error)")
                return
            }
            reservation?.release()
            let stillWanted = stopped.withLock { stopped in
                if !stopped { self.listener.withLock { $0 = listener } }
                return !stopped
            }
            guard stillWanted else {
                try? listener.close()
                return
            }
            transcript.add("upstream \(name)", "came up after \(delay.scriptText): listening on \(address)")
            await acceptLoop(listener, tls: tls, transcript: transcript)
        }
        acceptTask.withLock { $0 = task }
    }

    /// `reset first N`: resets connection `c` at once when it is one of the first N. Returns
    /// whether it did.
    func resetAtOnce(_ c: Connection, tcp: TCPConn, transcript: Transcript) -> Bool {
        guard let n = faults.resetFirst, c.number <= n else { return false }
        try? tcp.closeWithReset()
        c.record.finish(.local)
        transcript.add("upstream \(name)", "connection \(c.number): reset at once (reset first \(n))")
        return true
    }

    /// `close after SIZE`: the first connection after the reset ones is closed once it has
    /// received SIZE bytes; any other is pumped as usual.
    func pumpClosingAfter(
        _ c: Connection, echo: Bool, onFull: @escaping @Sendable (Int) -> Void,
        onEnd: @escaping @Sendable (StreamRecord.End) -> Void, transcript: Transcript
    ) async {
        guard let limit = faults.closeAfter, c.number == (faults.resetFirst ?? 0) + 1 else {
            await StreamRecord.pump(c.conn, into: c.record, echo: echo, onFull: onFull, onEnd: onEnd)
            return
        }
        let received = Mutex(0)
        let name = name
        await StreamRecord.pump(
            c.conn, into: c.record, echo: echo,
            onData: { bytes in
                let total = received.withLock { total in
                    total += bytes.count
                    return total
                }
                guard total >= limit, total - bytes.count < limit else { return }
                try? c.conn.close()
                c.record.finish(.local)
                transcript.add("upstream \(name)", "connection \(c.number): closed after \(Bytes.size(total)) (close after \(Bytes.size(limit)))")
            }, onFull: onFull, onEnd: onEnd)
    }

    /// The waits between connections so far: wait i (from 0 here, 1 in scripts) is from the
    /// end of connection i + 1 to the start of connection i + 2. A connection still open when
    /// the next one came gives a wait of zero.
    func waits() -> [Duration] {
        let list = connections
        guard list.count >= 2 else { return [] }
        return (0..<(list.count - 1)).map { i in
            guard let ended = list[i].record.end?.1, ended < list[i + 1].acceptedAt else { return .zero }
            return list[i + 1].acceptedAt - ended
        }
    }
}

extension CheckExecution {
    /// `; resets its first 6 connections at once; closes the first one it keeps after 64 B`.
    static func faultNote(_ faults: UpstreamFaults) -> String {
        var parts: [String] = []
        if let n = faults.resetFirst { parts.append("resets its first \(n) connection\(n == 1 ? "" : "s") at once") }
        if let size = faults.closeAfter { parts.append("closes the first one it keeps after \(Bytes.size(size))") }
        return parts.isEmpty ? "" : "; " + parts.joined(separator: "; ")
    }
}
