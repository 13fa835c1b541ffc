import Foundation

/// The dev CA and localhost certificate that the `{ca}`, `{cert}` and `{key}` placeholders name
/// (made by `netlab cert`, or on demand by `netlab check`).
public struct CertificatePaths: Sendable, Equatable {
    public var ca: URL
    public var caKey: URL
    public var cert: URL
    public var key: URL

    public init(ca: URL, caKey: URL, cert: URL, key: URL) {
        self.ca = ca
        self.caKey = caKey
        self.cert = cert
        self.key = key
    }
}
