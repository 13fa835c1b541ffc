import CheckLanguage
import CheckResults
import Foundation

/// `expect NAME ok|not-ok|value V|reply …`: the next unmatched bytes are one key-value reply
/// frame (docs/kv-protocol.md), decoded with the checker's own codec (`KeyValueWire`).
extension CheckExecution {
    /// The most received bytes a failure shows in hex.
    static let shownFrameBytes = 48

    func expectReply(
        label: String, records: @escaping () -> [StreamRecord], _ reply: ExpectedReply, within: Duration?,
        at location: SourceLocation
    ) async throws {
        let started = ContinuousClock.now
        let bound = within ?? stepTimeout
        let wanted = KeyValueText.wanted(reply)
        func received(_ record: StreamRecord) -> [String] {
            let bytes = record.unmatchedPrefix(Self.shownFrameBytes + 1)
            return bytes.isEmpty ? [] : ["received: hex " + Bytes.hexWords(bytes, limit: Self.shownFrameBytes)]
        }
        /// The frame at the start of the unmatched bytes, as far as it has arrived.
        func scan(_ record: StreamRecord) -> (KeyValueWire.FrameScan, available: Int) {
            var scan = KeyValueWire.scan(record.unmatchedPrefix(KeyValueWire.headerSize))
            // The whole frame is copied only once it has all arrived.
            if case .incomplete(let needed) = scan, needed > KeyValueWire.headerSize, record.unmatchedCount >= needed {
                scan = KeyValueWire.scan(record.unmatchedPrefix(needed))
            }
            return (scan, record.unmatchedCount)
        }
        let note = try await poll(
            until: started + bound, at: location,
            {
                guard let record = records().last else { return .wait }
                let end = record.status.end  // read first: once it is set, every byte is in
                let (found, available) = scan(record)
                switch found {
                case .incomplete(let needed):
                    guard let end else { return .wait }
                    let got = available == 0 ? "nothing" : "\(available) of the \(needed) bytes of a frame"
                    return .fail("expected \(wanted) from \(label); got \(got), then the connection ended: \(end.words)", received(record))
                case .invalid(let why):
                    return .fail("expected \(wanted) from \(label); got bytes that are not a valid frame: \(why)", received(record))
                case .frame(let body, let size):
                    let message: KeyValueWire.Message
                    do throws(KeyValueWire.Malformed) {
                        message = try KeyValueWire.decode(body)
                    } catch {
                        return .fail(
                            "expected \(wanted) from \(label); got a frame of \(size) bytes whose body is malformed: \(error.reason)",
                            ["body: hex " + Bytes.hexWords(body, limit: Self.shownFrameBytes)])
                    }
                    record.consume(size)
                    guard KeyValueText.matches(message, reply) else {
                        return .fail("expected \(wanted) from \(label); got \(KeyValueText.summary(message))", [])
                    }
                    return .pass("received \(KeyValueText.summary(message)), frame of \(size) bytes")
                }
            },
            timeout: {
                guard let record = records().last else {
                    return ("expected \(wanted) at \(label) within \(bound.scriptText); no connection reached it", [])
                }
                let (found, available) = scan(record)
                var got = "nothing"
                if case .incomplete(let needed) = found, available > 0 {
                    got = "\(available) of the \(needed) bytes of a frame, then nothing"
                }
                return ("expected \(wanted) from \(label) within \(bound.scriptText); got \(got)", received(record))
            })
        if let note { transcript.add(label, note) }
    }
}
