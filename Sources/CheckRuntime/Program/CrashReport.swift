import CheckResults
import Foundation

/// A crash report found in what the program wrote: the line that says why it crashed, and the
/// first place in the program's own source that the report names.
///
/// Reads the reports of the languages a lesson may be written in:
///
/// - Swift: `Swift/ContiguousArrayBuffer.swift:692: Fatal error: Index out of range` (also
///   `Precondition failed`, `Assertion failed`, a force-unwrapped nil), then, when the backtracer
///   runs (`SWIFT_BACKTRACE`, on by default on Linux), `*** Program crashed: Illegal instruction
///   at 0x… ***` and frames such as `3 [ra] 0x… main + 1010 in lesson01 at /…/main.swift:83:25`.
///   Without the backtracer a trap in the standard library names no place of the program's own.
/// - Go: `panic: runtime error: index out of range [5] with length 3` (or the runtime's
///   `fatal error: …`), then `goroutine 1 [running]:` and frames `\t/…/main.go:8 +0x1d`.
/// - Rust: `thread 'main' panicked at src/main.rs:4:5:` and the message on the next line (or
///   the older `thread 'main' panicked at 'message', src/main.rs:4:5`).
/// - Python: `Traceback (most recent call last):`, frames `  File "proxy.py", line 12, in …`,
///   and the exception line (`IndexError: list index out of range`).
struct CrashReport: Sendable, Equatable {
    /// `Fatal error: Index out of range`, escaped and at most ``summaryLimit`` characters.
    var summary: String
    /// `main.swift:83`: the file's name and the line, escaped.
    var location: String?
    /// When netlab read the report's first line.
    var time: ContinuousClock.Instant
    /// Whether such a report always ends the program (a Swift trap, a Go panic). A Rust panic
    /// ends only its thread, and a Python traceback may be one that the program printed and
    /// survived: those count only when the program then ended.
    var fatal = true

    static let summaryLimit = 200
    /// How many lines after the first one may hold the report's frames.
    static let reportLines = 400

    /// The first crash report in `lines` (stdout and stderr, as read), or nil.
    static func find(in lines: [OutputLine]) -> CrashReport? {
        let texts = lines.map { $0.text.trimmingTrailingWhitespace() }
        for (i, text) in texts.enumerated() {
            guard
                let start = reportStart(
                    text, next: i + 1 < texts.count ? texts[i + 1] : nil,
                    rest: texts[(i + 1)...].prefix(reportLines))
            else { continue }
            let rest = crashedThread(Array(texts[(i + 1)...].prefix(reportLines)))
            var location = start.location
            if start.framesInnermostLast {
                location = rest.compactMap(pythonFrame).last(where: isOwnSource).map(shown) ?? location
            } else if let frame = rest.lazy.compactMap(frameLocation).first(where: isOwnSource) {
                location = shown(frame)
            }
            return CrashReport(
                summary: clean(start.summary), location: location.map { clean($0) }, time: lines[i].time,
                fatal: start.fatal)
        }
        return nil
    }

    /// A path and a line in a report.
    struct SourcePlace: Equatable {
        var path: String
        var line: Int
    }

    struct Start {
        var summary: String
        var location: String?
        /// Python lists the innermost frame last; the others first.
        var framesInnermostLast = false
        var fatal = true
    }

    /// The frames of the thread that crashed, when the report lists several threads (Swift's
    /// backtracer: `Thread 2 "netcore-worker" crashed:`, up to the next thread or `Registers:`).
    static func crashedThread(_ lines: [String]) -> [String] {
        guard let start = lines.firstIndex(where: { $0.hasPrefix("Thread ") && $0.hasSuffix(" crashed:") }) else { return lines }
        let after = lines[(start + 1)...]
        let end = after.firstIndex { $0.hasPrefix("Thread ") || $0.hasPrefix("Registers:") } ?? lines.endIndex
        return Array(lines[(start + 1)..<end])
    }

    /// Whether `text` starts a crash report, and what it says.
    static func reportStart(_ text: String, next: String?, rest: ArraySlice<String>) -> Start? {
        // Most lines are log lines: a cheap look first, the patterns only for likely ones.
        guard
            text.contains("error") || text.contains("failed") || text.contains("Program crashed")
                || text.hasPrefix("panic: ") || text.contains("panicked at") || text.hasPrefix("Traceback")
        else { return nil }
        // Swift: [FILE:LINE: ]Fatal error[: MESSAGE]
        if let match = text.wholeMatch(of: swiftTrap) {
            let kind = String(match.output.kind)
            let message = match.output.message.map { String($0).trimmingCharacters(in: .whitespaces) } ?? ""
            var location: String?
            if let file = match.output.file, let line = Int(match.output.line ?? "") {
                let place = SourcePlace(path: String(file), line: line)
                if isOwnSource(place) { location = shown(place) }
            }
            return Start(summary: message.isEmpty ? kind : "\(kind): \(message)", location: location)
        }
        // Swift's backtracer, for a crash with no trap message (a bad pointer, abort()).
        for prefix in ["*** Program crashed: ", "💣 Program crashed: "] where text.hasPrefix(prefix) {
            var reason = String(text.dropFirst(prefix.count))
            if reason.hasSuffix(" ***") { reason.removeLast(4) }
            if let at = reason.range(of: " at 0x") { reason = String(reason[..<at.lowerBound]) }
            return Start(summary: reason)
        }
        // Go: a panic or a fatal error of the runtime, followed by the goroutines.
        if text.hasPrefix("panic: ") || text.hasPrefix("fatal error: "),
            rest.prefix(40).contains(where: { $0.hasPrefix("goroutine ") && $0.contains(" [") })
        {
            return Start(summary: text)
        }
        // Rust, since 1.73: the message on the next line.
        if let match = text.wholeMatch(of: rustPanic) {
            let place = SourcePlace(path: String(match.output.file), line: Int(match.output.line) ?? 0)
            let message = next.map { ": " + $0 } ?? ""
            return Start(
                summary: "thread '\(match.output.thread)' panicked\(message)", location: isOwnSource(place) ? shown(place) : nil,
                fatal: false)
        }
        // Rust, before 1.73.
        if let match = text.wholeMatch(of: oldRustPanic) {
            let place = SourcePlace(path: String(match.output.file), line: Int(match.output.line) ?? 0)
            return Start(
                summary: "thread '\(match.output.thread)' panicked: \(match.output.message)",
                location: isOwnSource(place) ? shown(place) : nil, fatal: false)
        }
        // Python: the exception is the first line after the frames that is not indented.
        if text == "Traceback (most recent call last):",
            let exception = rest.first(where: { !$0.isEmpty && !$0.hasPrefix(" ") && !$0.hasPrefix("\t") })
        {
            return Start(summary: exception, framesInnermostLast: true, fatal: false)
        }
        return nil
    }

    nonisolated(unsafe) static let swiftTrap =
        #/(?:(?<file>\S+?\.swift):(?<line>\d+): )?(?<kind>Fatal error|Precondition failed|Assertion failed)(?::(?<message>.*))?/#
    nonisolated(unsafe) static let rustPanic = #/thread '(?<thread>[^']*)' panicked at (?<file>.+?):(?<line>\d+):(?<column>\d+):/#
    nonisolated(unsafe) static let oldRustPanic =
        #/thread '(?<thread>[^']*)' panicked at '(?<message>.*)', (?<file>.+?):(?<line>\d+):(?<column>\d+)/#
    /// A Swift backtrace frame (`… in lesson01 at /path/main.swift:83:25`) or a Go one
    /// (`\t/path/main.go:8 +0x1d`).
    nonisolated(unsafe) static let swiftFrame = #/ at (?<file>\/\S+?):(?<line>\d+)(?::\d+)?/#
    nonisolated(unsafe) static let goFrame = #/\t(?<file>\S+?\.go):(?<line>\d+)(?: \+0x[0-9a-f]+)?/#
    nonisolated(unsafe) static let pythonFrameLine = #/  File "(?<file>[^"]+)", line (?<line>\d+)(?:, in .*)?/#

    static func frameLocation(_ text: String) -> SourcePlace? {
        if let m = text.firstMatch(of: swiftFrame), let line = Int(m.output.line), text.hasSuffix(m.output.0) {
            return SourcePlace(path: String(m.output.file), line: line)
        }
        if let m = text.wholeMatch(of: goFrame), let line = Int(m.output.line) {
            return SourcePlace(path: String(m.output.file), line: line)
        }
        return nil
    }

    static func pythonFrame(_ text: String) -> SourcePlace? {
        guard let m = text.wholeMatch(of: pythonFrameLine), let line = Int(m.output.line) else { return nil }
        return SourcePlace(path: String(m.output.file), line: line)
    }

    /// Parts of paths that belong to a toolchain or to netlab's libraries, not to the program.
    static let libraryPaths = [
        "/Sources/LessonKit/", "/Sources/NetCore/", "/Sources/NetTLS/", "/Sources/CNetShim/",
        "/swift/stdlib/", "/swift-corelibs-", "/swift-foundation", "/usr/lib/swift", "/opt/swift/", "/usr/share/swift/",
        "/rustc/", "/.cargo/registry/", "/.rustup/", "/library/std/", "/library/core/",
        "/src/runtime/", "/usr/local/go/", "/usr/lib/go", "/pkg/mod/",
        "/lib/python", "site-packages/", "<frozen",
    ]
    /// Module prefixes of a Swift trap's `#fileID` (`Swift/ContiguousArrayBuffer.swift`).
    static let libraryModules = [
        "Swift/", "_Concurrency/", "Foundation/", "FoundationEssentials/", "Dispatch/",
        "LessonKit/", "NetCore/", "NetTLS/", "Synchronization/",
    ]

    /// Whether `place` is in the program's own source, not in a toolchain or a library.
    static func isOwnSource(_ place: SourcePlace) -> Bool {
        guard place.line > 0 else { return false }
        let path = place.path
        return !libraryPaths.contains { path.contains($0) } && !libraryModules.contains { path.hasPrefix($0) }
    }

    /// `main.swift:83`
    static func shown(_ place: SourcePlace) -> String {
        let file = place.path.split(separator: "/").last.map(String.init) ?? place.path
        return "\(file):\(place.line)"
    }

    /// Escaped, one line, bounded.
    static func clean(_ text: String) -> String {
        let escaped = UntrustedText.escaped(text.trimmingCharacters(in: .whitespaces))
        return escaped.count > summaryLimit ? String(escaped.prefix(summaryLimit)) + "…" : escaped
    }
}

extension String {
    func trimmingTrailingWhitespace() -> String {
        var end = endIndex
        while end > startIndex, let last = self[..<end].last, last == " " || last == "\r" { end = index(before: end) }
        return String(self[..<end])
    }
}
