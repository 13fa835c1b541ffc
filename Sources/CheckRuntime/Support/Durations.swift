import Foundation

/// `0.251s`
func seconds(_ d: Duration) -> String {
    let ms = Int64(d.components.seconds) * 1000 + d.components.attoseconds / 1_000_000_000_000_000
    return "\(ms / 1000).\(String(format: "%03d", abs(ms % 1000)))s"
}
