import CheckResults
extension Bytes {
    /// `16 03 01 00 2a`, cut after `limit` bytes.
    static func hexWords(_ bytes: [UInt8], limit: Int) -> String {
        "\"" + bytes.prefix(limit).map(hex).joined(separator: " ") + (bytes.count > limit ? " …" : "") + "\""
    }
}
