import CheckLanguage
import ProcessSupervision

/// `{metrics}`: a port on 127.0.0.1 for the program's second listener, and the proof, before
/// each scrape, that the socket listening there is the program's own.
enum MetricsPort {
    /// A port the kernel says is free now. The reservation (PortReservation.swift) is let go at
    /// once, before the program starts: one held with SO_REUSEADDR would refuse a program that
    /// binds without it. Another socket could take the port meanwhile; ``problem(with:address:)``
    /// then finds it is not the program's, and the scrape fails rather than read it.
    static func pick() throws -> String {
        let reservation = try PortReservation()
        defer { reservation.release() }
        return reservation.address
    }

    /// Nil when the socket listening on `address` is the program's (or one of its children's);
    /// else what is wrong, for the learner. Looks again for up to `patience` (the kernel's tables
    /// may lag the program's listen).
    static func problem(with process: ServerProcess, address: String, patience: Duration = .seconds(1)) async -> String? {
        let deadline = ContinuousClock.now + patience
        let pid = process.pid
        let token = process.treeToken
        while true {
            let found = await offPool { PortOwnership.verdict(address: address, root: pid, token: token) }
            guard let found, found != .owned else { return nil }
            if let exited = process.exitStatus { return "the server \(exited) before the scrape" }
            if ContinuousClock.now >= deadline {
                return found == .nobodyListens
                    ? "nothing listens on {metrics} (\(address)), the address the start line gives the program for its metrics"
                    : "the socket listening on {metrics} (\(address)) is not your program's (pid \(pid)) or its children's: another program serves it"
            }
            try? await Task.sleep(for: .milliseconds(20))
        }
    }
}

extension CheckExecution {
    /// A free `127.0.0.1:PORT` for `{metrics}` outside a check (`netlab run`).
    package static func freeMetricsAddress() throws -> String { try MetricsPort.pick() }
}
