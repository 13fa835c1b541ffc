/// The progress line of a bench on a terminal: `[█████·········] 12/36  round 2 · yours · 100 connections`,
/// redrawn in place (`\r`, erase line). Only drawn on a TTY; a pipe or a file gets nothing.
package enum ProgressBar {
    package static let width = 24

    /// The line for `done` of `total` steps (without the `\r` and erase that redraw it).
    package static func line(done: Int, total: Int, label: String) -> String {
        let total = max(total, 1)
        let done = min(max(done, 0), total)
        let filled = done * width / total
        let bar = String(repeating: "█", count: filled) + String(repeating: "·", count: width - filled)
        return "[\(bar)] \(done)/\(total)  \(label)"
    }
}
