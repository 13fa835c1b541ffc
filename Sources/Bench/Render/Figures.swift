import Foundation

/// How a bench shows its numbers: short, in the units a load tester uses.
package enum Figures {
    /// `845`, `52.3k`, `1.23M`: a rate with three significant digits.
    package static func rate(_ value: Double?, unit: RateUnit) -> String {
        guard let value, value.isFinite else { return "–" }
        if unit == .megabytes { return value >= 100 ? String(format: "%.0f", value) : String(format: "%.1f", value) }
        switch abs(value) {
        case 1e6...: return String(format: "%.2fM", value / 1e6)
        case 1e4..<1e6: return String(format: "%.1fk", value / 1e3)
        case 1e3..<1e4: return String(format: "%.2fk", value / 1e3)
        default: return String(format: "%.0f", value)
        }
    }

    /// `84µs`, `1.84ms`, `1.20s`, from microseconds.
    package static func latency(_ micros: Double?) -> String {
        guard let micros, micros.isFinite else { return "–" }
        switch micros {
        case ..<1000: return String(format: "%.0fµs", micros)
        case 1000..<10_000: return String(format: "%.2fms", micros / 1000)
        case 10_000..<1_000_000: return String(format: "%.1fms", micros / 1000)
        default: return String(format: "%.2fs", micros / 1_000_000)
        }
    }

    /// `0.42×`; `–` without a ratio.
    package static func ratio(_ value: Double?) -> String {
        guard let value, value.isFinite else { return "–" }
        return value >= 100 ? String(format: "%.0f×", value) : String(format: "%.2f×", value)
    }

    /// `2.1 KiB`, `1.2 MiB`, `120 B`, from bytes (a negative delta stays negative).
    package static func bytes(_ value: Double?) -> String {
        guard let value, value.isFinite else { return "–" }
        switch abs(value) {
        case 1_048_576...: return String(format: "%.1f MiB", value / 1_048_576)
        case 1024..<1_048_576: return String(format: "%.1f KiB", value / 1024)
        default: return String(format: "%.0f B", value)
        }
    }

    /// `1.0`, `0.003`: a count per connection.
    package static func count(_ value: Double?) -> String {
        guard let value, value.isFinite else { return "–" }
        return abs(value) >= 10 || value == value.rounded() ? String(format: "%.0f", value) : String(format: "%.2f", value)
    }

    /// `0.98 cores`, `0.00 cores`.
    package static func cores(_ value: Double?) -> String {
        guard let value, value.isFinite else { return "–" }
        return String(format: "%.2f", value)
    }

    /// `18µs`, `1.2ms`: CPU per operation, from microseconds.
    package static func cpu(_ micros: Double?) -> String { latency(micros) }
}
