import CheckLanguage
import CheckResults
import Foundation
import NetCore

/// `expect NAME DATA|eof|reset|closed|silence`: expectations on a client's or an upstream's stream.
extension CheckExecution {
    enum Want {
        case bytes([UInt8], label: String)
        case pattern(Regex<AnyRegexOutput>, label: String)
    }

    func want(_ data: ExpectedData, vars: [String: Int], at location: SourceLocation) throws -> Want {
        switch data {
        case .text(let b), .hex(let b):
            return .bytes(b, label: Bytes.isText(b) ? Bytes.quoted(b) : "hex " + Bytes.hexWords(b, limit: 32) + " (\(Bytes.size(b.count)))")
        case .file(let path):
            let b = try fileBytes(path, at: location)
            return .bytes(b, label: "file \"\(path)\" (\(Bytes.size(b.count)))")
        case .named(let template):
            let dataName = name(template, vars)
            guard let b = self.data.withLock({ $0[dataName] }) else {
                throw StepFailure(message: "data `\(dataName)` was never sent", location: location)
            }
            return .bytes(b, label: "\(Bytes.size(b.count)) of `\(dataName)`")
        case .pattern(let p):
            let (regex, label) = try compiled(p, at: location)
            return .pattern(regex, label: label)
        }
    }

    /// `expect X DATA|eof|reset|closed|silence` on one record (a client, or an upstream's latest
    /// connection) or, with `anyOf`, on any of several (an upstream's `received`).
    ///
    /// `lastActivity` is when a client last connected or sent: `after T` counts from it when it
    /// is earlier than the step's start, because that is when a server's idle timer started, and a
    /// loaded machine may take a while between one step and the next.
    func expectStream(
        label: String, records: @escaping () -> [StreamRecord], anyOf: Bool,
        _ expectation: StreamExpectation, vars: [String: Int], at location: SourceLocation,
        lastActivity: ContinuousClock.Instant? = nil
    ) async throws {
        let started = ContinuousClock.now
        switch expectation {
        case .receives(let data, let within):
            let bound = within ?? stepTimeout
            let want = try self.want(data, vars: vars, at: location)
            let wantLabel: String
            switch want {
            case .bytes(_, let l), .pattern(_, let l): wantLabel = l
            }
            var checked: [ObjectIdentifier: Int] = [:]
            var seenCount: [ObjectIdentifier: Int] = [:]
            let note = try await poll(
                until: started + bound, at: location,
                {
                    let candidates = records()
                    for record in candidates {
                        let id = ObjectIdentifier(record)
                        switch want {
                        case .bytes(let expected, _) where anyOf:
                            // An upstream may have received other bytes first that no expect matched
                            // (a proxy forwards everything): DATA may come anywhere after them.
                            let (found, next) = record.find(expected, searched: checked[id] ?? 0)
                            if found {
                                return .pass(
                                    "received \(Bytes.size(expected.count)): \(expected.count <= 160 && Bytes.isText(expected) ? Bytes.quoted(expected) : wantLabel)"
                                )
                            }
                            checked[id] = next
                        case .bytes(let expected, _):
                            let (match, end) = record.matchPrefix(expected, checked: checked[id] ?? 0)
                            switch match {
                            case .complete:
                                return .pass(
                                    "received \(Bytes.size(expected.count)): \(expected.count <= 160 && Bytes.isText(expected) ? Bytes.quoted(expected) : wantLabel)"
                                )
                            case .mismatch(let d):
                                if anyOf { continue }
                                let available = Array(record.unmatched)
                                return .fail(
                                    "expected \(wantLabel) from \(label); got \(gotText(available)), which differs at byte \(d)",
                                    Bytes.diff(expected: expected, received: available, offset: d))
                            case .partial(let n):
                                checked[id] = n
                                if let end, !anyOf {
                                    let available = Array(record.unmatched)
                                    return .fail(
                                        "expected \(wantLabel) from \(label); got \(gotText(available)), then the connection ended: \(end.words)",
                                        available.isEmpty ? [] : Bytes.diff(expected: expected, received: available, offset: available.count))
                                }
                            }
                        case .pattern(let regex, _):
                            let status = record.status
                            if seenCount[id] == status.unmatched, status.end == nil { continue }
                            seenCount[id] = status.unmatched
                            let available = Array(record.unmatched)
                            let text = String(decoding: available, as: UTF8.self)
                            let outcome = await PatternMatcher.shared.firstMatch(regex, in: text, until: started + bound)
                            if let range = try matched(outcome, pattern: wantLabel, at: location) {
                                record.consume(min(range.upperBound, available.count))
                                return .pass("received \(Bytes.quoted(Array(Array(text.utf8)[range]))) matching \(wantLabel)")
                            }
                            if let end = status.end, !anyOf {
                                return .fail(
                                    "expected text matching \(wantLabel) from \(label); got \(gotText(available)), then the connection ended: \(end.words)",
                                    [])
                            }
                        }
                    }
                    return .wait
                },
                timeout: {
                    let candidates = records()
                    if candidates.isEmpty {
                        return ("expected \(wantLabel) at \(label) within \(bound.scriptText); no connection reached it", [])
                    }
                    if anyOf {
                        var details: [String] = []
                        for (i, r) in candidates.enumerated().suffix(3) {
                            details.append("connection \(i + 1) received \(gotText(Array(r.unmatched)))")
                        }
                        return ("expected \(wantLabel) at \(label) within \(bound.scriptText); no connection received it", details)
                    }
                    let available = Array(candidates[0].unmatched)
                    var details: [String] = []
                    if case .bytes(let expected, _) = want, !available.isEmpty {
                        details = Bytes.diff(expected: expected, received: available, offset: available.count)
                    } else if !available.isEmpty {
                        details = ["received: " + Bytes.quoted(available, limit: 200)]
                    }
                    return (
                        "expected \(wantLabel) from \(label) within \(bound.scriptText); got \(gotText(available))\(available.isEmpty ? "" : ", then nothing")",
                        details
                    )
                })
            if let note { transcript.add(label, note) }

        case .ends(let end, let after, let within):
            let bound = within ?? stepTimeout
            let kind: String =
                switch end {
                case .eof: "eof (FIN)"
                case .reset: "reset (RST)"
                case .closed: "the connection to close (FIN or RST)"
                }
            let note = try await poll(
                until: started + bound, at: location,
                {
                    guard let record = records().last else { return .wait }
                    let s = record.status
                    if end == .eof, s.unmatched > 0 {
                        let unmatched = Array(record.unmatched)
                        return .fail(
                            "expected eof (FIN) from \(label); \(Bytes.size(unmatched.count)) that no expect matched arrived first: \(Bytes.quoted(unmatched, limit: 80))",
                            [])
                    }
                    guard let how = s.end, let time = s.endTime else { return .wait }
                    let base = min(started, lastActivity ?? started)
                    let elapsed = time - base
                    switch (end, how) {
                    case (_, .local):
                        return .fail("expected \(kind) from \(label), but netlab closed that connection itself earlier in the check", [])
                    case (.eof, .fin), (.reset, .reset), (.closed, .fin), (.closed, .reset), (.closed, .error):
                        break
                    default:
                        return .fail("expected \(kind) from \(label); the connection ended with \(how.words)", [])
                    }
                    if let after, elapsed < after {
                        let from = base < started ? "its last send (or its connect)" : "the step began"
                        let when = elapsed < .zero ? "before \(from)" : "\(seconds(elapsed)) after \(from)"
                        return .fail(
                            "expected \(label)'s connection to end no sooner than \(after.scriptText) after \(from); it ended with \(how.words) \(when)",
                            [])
                    }
                    if let after { recordEvent(at: base + after) }
                    return .pass("\(how.words)" + (elapsed > .zero ? " after \(seconds(elapsed))" : ""))
                },
                timeout: {
                    guard let record = records().last else {
                        return ("expected \(kind) at \(label) within \(bound.scriptText); no connection reached it", [])
                    }
                    let unmatched = record.unmatchedCount
                    return (
                        "expected \(kind) from \(label) within \(bound.scriptText); the connection is still open"
                            + (unmatched > 0 ? " (\(Bytes.size(unmatched)) arrived that no expect matched)" : ""), []
                    )
                })
            if let note { transcript.add(label, note) }

        case .reply(let reply, let within):
            try await expectReply(label: label, records: records, reply, within: within, at: location)

        case .webSocket(let expected, let within):
            guard let record = records().last else { throw StepFailure(message: "\(label) has no connection", location: location) }
            try await expectWebSocket(label: label, record: record, expected, within: within, at: location)

        case .http(let expected, let within):
            guard let record = records().last else { throw StepFailure(message: "\(label) has no connection", location: location) }
            try await expectHTTP(label: label, record: record, expected, within: within, at: location)

        case .silence(let duration):
            _ = try await poll(
                until: started + duration, at: location,
                {
                    guard let record = records().last else { return .wait }
                    let s = record.status
                    if s.unmatched > 0 {
                        let unmatched = Array(record.unmatched)
                        let at = s.lastArrival.map { $0 - started } ?? .zero
                        return .fail(
                            "expected silence from \(label) for \(duration.scriptText); "
                                + (at > .milliseconds(1) ? "after \(seconds(at)) " : "")
                                + "it received \(Bytes.size(unmatched.count)): \(Bytes.quoted(unmatched, limit: 80))", [])
                    }
                    if let how = s.end, how != .local {
                        return .fail("expected silence from \(label) for \(duration.scriptText); the connection ended with \(how.words)", [])
                    }
                    return .wait
                }, timeout: { nil })
            transcript.add(label, "silent for \(duration.scriptText)")
        }
    }

    func gotText(_ bytes: [UInt8]) -> String {
        if bytes.isEmpty { return "nothing" }
        if bytes.count > 160 || !Bytes.isText(bytes) { return Bytes.size(bytes.count) }
        return Bytes.quoted(bytes)
    }
}
