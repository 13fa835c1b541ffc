import CheckLanguage
import Foundation
import NetCore
import NetTLS

/// Runs a check's steps one after another (`repeat` and `parallel` run their bodies).
extension CheckExecution {
    func runSteps(_ steps: [Step], vars: [String: Int]) async throws {
        for step in steps {
            try Task.checkCancellation()
            currentStep.withLock { $0 = step }
            lifecycle.stepStarted(at: .now)
            try await run(step, vars: vars)
        }
    }

    func run(_ step: Step, vars: [String: Int]) async throws {
        switch step {
        case .connect(let c): try await connect(c, vars: vars)
        case .send(let s): try await send(s, vars: vars)
        case .shutdownWrite(let a):
            let client = try self.client(a.client, vars: vars, at: a.location)
            await markEvent()
            var what = "shutdown write (FIN sent)"
            do {
                if let tls = client.conn as? TLSConn {
                    // TLS's closeWrite sends close_notify only (as Go's does); a client that is
                    // done sending also ends its TCP stream, so the server sees both, in order:
                    // the alert must be on the wire before the FIN.
                    // Bounded like any step: a server that never reads could hold the alert back.
                    try client.tcp?.setWriteDeadline(.after(stepTimeout))
                    try await tls.sendCloseNotify()
                    try? client.tcp?.setWriteDeadline(nil)
                    try client.tcp?.closeWrite()
                    what = "shutdown write (close_notify, then FIN sent)"
                } else if let half = client.conn as? any HalfClosable {
                    try half.closeWrite()
                }
            } catch {
                throw StepFailure(message: "could not half-close client \(client.name): \(NetError.reason(of: error))", location: a.location)
            }
            transcript.add("client \(client.name)", what)
        case .reset(let a):
            let client = try self.client(a.client, vars: vars, at: a.location)
            await markEvent()
            client.reset()
            transcript.add("client \(client.name)", "reset (RST sent)")
        case .close(let a):
            let client = try self.client(a.client, vars: vars, at: a.location)
            await markEvent()
            client.close()
            transcript.add("client \(client.name)", "close (FIN sent)")
        case .expectClient(let e):
            let client = try self.client(e.client, vars: vars, at: e.location)
            client.startDeferredReading()
            try await expectStream(
                label: "client \(client.name)", records: { [client.record] }, anyOf: false,
                e.expectation, vars: vars, at: e.location, lastActivity: client.lastActivity)
        case .expectUpstream(let e):
            try await expectUpstream(e, vars: vars)
        case .expectServer(let e):
            do {
                try await expectServer(e, vars: vars)
            } catch var failure as StepFailure {
                if case .log(let pattern, _) = e.condition { failure.logPattern = pattern }
                if case .logCount(let pattern, _, _, _) = e.condition { failure.logPattern = pattern }
                throw failure
            }
        case .capture(let c):
            let metrics = try runningMetrics(at: c.location)
            let value = metrics.measured(c.metric)
            captures.withLock { $0[c.name] = value }
            transcript.add("netlab", "\(c.metric.rawValue) as \(c.name): \(text(value, c.metric.quantity))")
        case .stop:
            await markEvent()
            if let process, process.exitStatus == nil {
                lifecycle.stopSent(at: .now)
                process.signal(SIGTERM)
                transcript.add("netlab", "stop: sent SIGTERM to the server")
            } else {
                transcript.add("netlab", "stop: the server is not running")
            }
        case .scrape(let s):
            try await scrape(s, vars: vars)
        case .expectScrape(let e):
            try await expectScrape(e)
        case .sleep(let s):
            transcript.add("netlab", "sleep \(s.duration.scriptText)")
            try await Task.sleep(for: s.duration)
        case .repeat(let loop):
            for i in 0..<loop.count {
                var inner = vars
                if let name = loop.variable { inner[name] = i }
                try await runSteps(loop.body, vars: inner)
            }
        case .parallel(let loop):
            // The copies' events count as one event, at the earliest of them (EventMark.swift).
            try await withParallelEvents {
                try await withThrowingTaskGroup(of: Void.self) { group in
                    for i in 0..<loop.count {
                        var inner = vars
                        if let name = loop.variable { inner[name] = i }
                        group.addTask { [inner] in
                            for step in loop.body {
                                try Task.checkCancellation()
                                try await self.run(step, vars: inner)
                            }
                        }
                    }
                    try await group.waitForAll()
                }
            }
        }
    }
}
