import CheckResults
import Foundation
import Synchronization

/// The running record of one check: what each step did, with the time it happened. Rendered at the
/// end with the server's output lines merged in time order.
package final class Transcript: Sendable {
    struct Entry: Sendable {
        var time: ContinuousClock.Instant
        /// `client a`, `up`, `netlab`, `server`.
        var source: String
        var text: String
        /// Lines shown indented under the entry (hex dumps, …).
        var details: [String] = []
    }

    let origin: ContinuousClock.Instant
    private let entries = Mutex<[Entry]>([])
    private let omitted = Mutex(0)
    private let figureList = Mutex<[String]>([])
    /// At most this many entries are kept: the first 500 and the most recent ones, so that
    /// `repeat 1000000` cannot fill the memory with its transcript.
    static let entryLimit = 6000

    package init(origin: ContinuousClock.Instant) { self.origin = origin }

    func add(_ source: String, _ text: String, details: [String] = [], at time: ContinuousClock.Instant = .now) {
        let dropped = entries.withLock { list -> Int in
            list.append(Entry(time: time, source: source, text: text, details: details))
            guard list.count > Self.entryLimit else { return 0 }
            list.removeSubrange(500..<1500)
            return 1000
        }
        if dropped > 0 { omitted.withLock { $0 += dropped } }
    }

    /// Records a figure the check measured that the learner should see beside its verdict, pass
    /// or fail (`the server used 97.4% of a core over 2s …`): the point of some checks is the
    /// figure. At most 20 are kept.
    func addFigure(_ text: String) {
        figureList.withLock { if $0.count < 20 { $0.append(text) } }
    }

    /// The figures recorded so far, in order.
    var figures: [String] { figureList.withLock { $0 } }

    /// The entries and the server's lines (from `sequence` on), sorted by time, at most `limit`
    /// lines: the first quarter and the rest from the end, with a line saying how many were left out.
    func render(serverLines: [OutputLine], droppedServerLines: Int, limit: Int = 400) -> [String] {
        var all = entries.withLock { $0 }
        for line in serverLines {
            let source = line.stream == .stderr ? "server" : "server stdout"
            all.append(Entry(time: line.time, source: source, text: line.text))
        }
        // A stable sort: entries made at the same instant keep their order.
        let sorted = all.enumerated().sorted { a, b in
            a.element.time != b.element.time ? a.element.time < b.element.time : a.offset < b.offset
        }.map(\.element)
        var lines: [String] = []
        let omittedSteps = omitted.withLock { $0 }
        if omittedSteps > 0 {
            lines.append("        [netlab] (\(omittedSteps) step lines from the middle of the check were not kept)")
        }
        if droppedServerLines > 0 {
            lines.append("        [netlab] (\(droppedServerLines) earlier lines of the server's output were dropped)")
        }
        for entry in sorted {
            lines.append("\(Self.stamp(entry.time - origin)) [\(entry.source)] \(entry.text)")
            for detail in entry.details { lines.append("          " + detail) }
        }
        if lines.count > limit {
            let head = limit / 4
            let tail = limit - head - 1
            lines = Array(lines.prefix(head)) + ["        … \(lines.count - head - tail) lines not shown …"] + Array(lines.suffix(tail))
        }
        return lines
    }

    /// `+0.012s`, padded to 8 characters.
    static func stamp(_ d: Duration) -> String {
        let ms = max(0, Int64(d.components.seconds) * 1000 + d.components.attoseconds / 1_000_000_000_000_000)
        let text = "+\(ms / 1000).\(String(format: "%03d", ms % 1000))s"
        return text.count < 8 ? text + String(repeating: " ", count: 8 - text.count) : text
    }
}
