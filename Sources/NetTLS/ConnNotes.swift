import COpenSSL

/// Per-conn notes that the OpenSSL callbacks leave while the engine lock is held.
final class ConnNotes: @unchecked Sendable {
    var callbackFailure: TLSError?
    var requestedServerName: String?
    /// A certificate chosen per SNI stays alive as long as the conn.
    var retainedCertificate: TLSCertificate?

    static func of(_ ssl: OpaquePointer) -> ConnNotes? {
        netlab_SSL_get_app_data(ssl).map { Unmanaged<ConnNotes>.fromOpaque($0).takeUnretainedValue() }
    }
}
