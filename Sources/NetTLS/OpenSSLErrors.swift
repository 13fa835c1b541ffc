import COpenSSL

/// One entry of OpenSSL's thread-local error queue.
struct OpenSSLErrorEntry: Sendable, Equatable {
    let library: Int32
    let reason: Int32
    /// OpenSSL's words for the reason ("certificate verify failed").
    let text: String
}

enum OpenSSLErrors {
    /// Takes every entry off the calling thread's error queue, oldest first.
    static func drain() -> [OpenSSLErrorEntry] {
        var entries: [OpenSSLErrorEntry] = []
        while true {
            let code = ERR_get_error()
            if code == 0 { break }
            let text = ERR_reason_error_string(code).map { String(cString: $0) } ?? "error \(code)"
            entries.append(OpenSSLErrorEntry(library: netlab_ERR_GET_LIB(code), reason: netlab_ERR_GET_REASON(code), text: text))
        }
        return entries
    }

    /// The reasons joined for a message: "wrong version number; record layer failure".
    static func summary(_ entries: [OpenSSLErrorEntry]) -> String {
        entries.isEmpty ? "no details from OpenSSL" : entries.map(\.text).joined(separator: "; ")
    }
}
