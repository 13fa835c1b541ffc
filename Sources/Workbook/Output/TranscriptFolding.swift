import Foundation

/// Folds the lines a loop in a check makes: `repeat 1000 as i { connect c{i} }` writes a
/// thousand `[client cN] connect …` lines that differ only in the client's name and port, and
/// the line that names the bug scrolls off screen behind them.
///
/// A transcript line (see `Transcript.render`) is `+0.012s  [source] text`, maybe followed by
/// detail lines indented by ten spaces. Each entry gets a *shape*: its source and text (and
/// details) with every address (`127.0.0.1:40312`, `[::1]:80`) and every number at the end of a
/// name (`c17`, `` `d17` ``) blanked. Other numbers (byte counts, statuses, times in the text)
/// are substance, and so are words: two lines that differ there have different shapes. Of the
/// entries that share a shape, the first `keep` are shown and the rest are replaced by one line
/// where the first of them was:
///
///     +0.041s  … 997 more [client c2 … c999] connect lines, the same but for names and addresses (until +0.193s)
///
/// Lines that are not entries (the check's title, the `FAIL` block, the hint) are never folded,
/// nor are the entries of the sources the failure names (`client c1` in "expected … from
/// client c1"): those are the ones the learner needs to read.
public enum TranscriptFolding {
    /// A shape must hide at least this many entries to be folded (folding one line saves nothing).
    static let minimumHidden = 2

    public static func folded(_ transcript: String, keep: Int = 2, keepingSources: Set<String> = []) -> String {
        let lines = transcript.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let units = group(lines)
        var counts: [String: Int] = [:]
        for unit in units {
            if let key = unit.key(keepingSources) { counts[key, default: 0] += 1 }
        }
        var hidden: [String: [Unit]] = [:]
        var seen: [String: Int] = [:]
        for unit in units {
            guard let key = unit.key(keepingSources), let count = counts[key], count - keep >= minimumHidden else { continue }
            seen[key, default: 0] += 1
            if seen[key]! > keep { hidden[key, default: []].append(unit) }
        }
        var out: [String] = []
        var placed = Set<String>()
        seen = [:]
        for unit in units {
            guard let key = unit.key(keepingSources), let folded = hidden[key] else {
                out += unit.lines
                continue
            }
            seen[key, default: 0] += 1
            if seen[key]! <= keep {
                out += unit.lines
            } else if placed.insert(key).inserted {
                let first = units.first { $0.key(keepingSources) == key }!
                out.append(summary(folded, like: first))
            }
        }
        return out.joined(separator: "\n")
    }

    /// One entry of the transcript and its detail lines, or a line that is not an entry.
    struct Unit {
        var lines: [String]
        /// Set for an entry: its stamp, source and text.
        var stamp: String?
        var source = ""
        var text = ""

        func key(_ keepingSources: Set<String>) -> String? {
            guard stamp != nil, !keepingSources.contains(source) else { return nil }
            let details = lines.dropFirst().map { TranscriptFolding.shape($0) }
            return ([TranscriptFolding.shape(source), TranscriptFolding.shape(text)] + details).joined(separator: "\n")
        }

        /// The line without its time stamp: what must be equal for "all the same".
        var body: String { ([source, text] + lines.dropFirst()).joined(separator: "\n") }
    }

    static func group(_ lines: [String]) -> [Unit] {
        var units: [Unit] = []
        for line in lines {
            if line.hasPrefix("          "), let last = units.last, last.stamp != nil {
                units[units.count - 1].lines.append(line)
                continue
            }
            if let (stamp, source, text) = entry(line) {
                units.append(Unit(lines: [line], stamp: stamp, source: source, text: text))
            } else {
                units.append(Unit(lines: [line]))
            }
        }
        return units
    }

    /// `+0.012s  [client a] sent 3 bytes` as (`+0.012s`, `client a`, `sent 3 bytes`).
    static func entry(_ line: String) -> (String, String, String)? {
        guard line.hasPrefix("+"), let space = line.firstIndex(of: " ") else { return nil }
        let stamp = line[..<space]
        guard stamp.count >= 7, stamp.hasSuffix("s"),
            stamp.dropFirst().dropLast().allSatisfy({ $0.isASCII && ($0.isNumber || $0 == ".") })
        else { return nil }
        let rest = line[space...].drop { $0 == " " }
        guard rest.hasPrefix("["), let close = rest.firstIndex(of: "]") else { return nil }
        let source = rest[rest.index(after: rest.startIndex)..<close]
        let afterClose = rest.index(after: close)
        let text = afterClose < rest.endIndex && rest[afterClose] == " " ? rest[rest.index(after: afterClose)...] : rest[afterClose...]
        return (String(stamp), String(source), String(text))
    }

    /// The text with addresses and the numbers that end names blanked: `connect ADDR: connected
    /// from ADDR`, `client c#`, `` random data `d#` ``.
    static func shape(_ text: String) -> String {
        var s = text
        let rules: [(String, String)] = [
            (#"\[[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*\](:\d+)?"#, "ADDR"),
            (#"\b\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}(:\d+)?\b"#, "ADDR"),
            (#"\blocalhost:\d+\b"#, "ADDR"),
            (#"\b([A-Za-z_][A-Za-z_-]*)\d+\b"#, "$1#"),
        ]
        for (pattern, replacement) in rules {
            s = s.replacingOccurrences(of: pattern, with: replacement, options: .regularExpression)
        }
        return s
    }

    /// `+0.041s  … 997 more [client c2 … c999] connect lines, the same but for names and addresses (until +0.193s)`
    static func summary(_ hidden: [Unit], like example: Unit) -> String {
        var sources: [String] = []
        for unit in hidden where sources.last != unit.source && !sources.contains(unit.source) { sources.append(unit.source) }
        let who: String
        if sources.count <= 1 {
            who = sources.first ?? example.source
        } else {
            let first = sources[0], last = sources[sources.count - 1]
            let firstWords = first.split(separator: " "), lastWords = last.split(separator: " ")
            let lastShown = firstWords.count == 2 && lastWords.count == 2 && firstWords[0] == lastWords[0] ? String(lastWords[1]) : last
            who = first + (sources.count == 2 ? ", " : " … ") + lastShown
        }
        let word = example.text.prefix { $0.isLetter || $0 == "-" || $0 == "_" }
        let what = word.isEmpty || word.count > 24 ? "" : word + " "
        let same = hidden.allSatisfy { $0.body == example.body } ? "all the same" : "the same but for names and addresses"
        let stamp = hidden[0].stamp ?? ""
        let until = hidden.count > 1 ? " (until \(hidden[hidden.count - 1].stamp ?? ""))" : ""
        let padded = stamp.count < 8 ? stamp + String(repeating: " ", count: 8 - stamp.count) : stamp
        return "\(padded) … \(hidden.count) more [\(who)] \(what)lines, \(same)\(until)"
    }

    /// The sources a failure message names (`client c1`, `upstream up`): their entries are
    /// never folded.
    public static func sourcesNamed(in message: String?) -> Set<String> {
        guard let message else { return [] }
        var names = Set<String>()
        let pattern = #"\b(client|upstream) ([A-Za-z_][A-Za-z0-9_.-]*[A-Za-z0-9_])"#
        guard let regex = try? NSRegularExpression(pattern: pattern) else { return [] }
        let range = NSRange(message.startIndex..., in: message)
        for match in regex.matches(in: message, range: range) {
            if let r = Range(match.range, in: message) { names.insert(String(message[r])) }
        }
        return names
    }
}
