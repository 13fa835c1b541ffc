import CheckLanguage
import Foundation

/// `expect upstream NAME …`: what an upstream received, and how many connections it accepted.
extension CheckExecution {
    func expectUpstream(_ e: UpstreamExpectation, vars: [String: Int]) async throws {
        guard let peer = upstreams[e.upstream] else {
            throw CheckError(message: "unknown upstream \(e.upstream) (\(e.location))")
        }
        let label = e.upstream
        switch e.condition {
        case .stream(let expectation):
            if case .receives = expectation {
                try await expectStream(
                    label: "upstream \(label)", records: { peer.connections.map(\.record) }, anyOf: true,
                    expectation, vars: vars, at: e.location)
            } else {
                try await expectStream(
                    label: "upstream \(label)", records: { peer.latest.map { [$0.record] } ?? [] }, anyOf: false,
                    expectation, vars: vars, at: e.location)
            }
        case .waits(let expectation):
            try await expectWaits(expectation, peer: peer, label: label, vars: vars, at: e.location)
        case .connections(let comparison, let within):
            let bound = within ?? stepTimeout
            let started = ContinuousClock.now
            let rhs = try evaluate(comparison.rhs, vars: vars, at: e.location)
            guard case .count(let limit) = rhs else { throw CheckError(message: "connections compare with counts (\(e.location))") }
            let note = try await poll(
                until: started + bound, at: e.location,
                {
                    let count = peer.connections.count
                    return compare(count, comparison.op, limit)
                        ? .pass("connections = \(count), expected \(comparison.op.rawValue) \(expressionText(comparison.rhs)) = \(limit)")
                        : .wait
                },
                timeout: {
                    (
                        "expected upstream \(label) to have accepted \(comparison.op.rawValue) \(expressionText(comparison.rhs))"
                            + (expressionText(comparison.rhs) == "\(limit)" ? "" : " = \(limit)")
                            + " connections within \(bound.scriptText); it has accepted \(peer.connections.count)", []
                    )
                })
            if let note { transcript.add("upstream \(label)", note) }
        }
    }
}
