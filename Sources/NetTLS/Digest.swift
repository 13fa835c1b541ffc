import COpenSSL

// Message digests through the system's OpenSSL (`EVP_Digest`), never written by hand: SHA-1 for
// protocols that use it as an encoding rather than for security (RFC 6455's
// Sec-WebSocket-Accept), SHA-256 for fingerprints (the class board's replay check).

/// SHA-1 of `bytes` (20 bytes). Like Go's `sha1.Sum`.
public func sha1(_ bytes: [UInt8]) -> [UInt8] {
    digest(bytes, EVP_sha1(), size: 20, name: "SHA-1")
}

/// SHA-256 of `bytes` (32 bytes). Like Go's `sha256.Sum256`.
public func sha256(_ bytes: [UInt8]) -> [UInt8] {
    digest(bytes, EVP_sha256(), size: 32, name: "SHA-256")
}

/// `bytes` through OpenSSL's digest `md`, which gives `size` bytes.
private func digest(_ bytes: [UInt8], _ md: OpaquePointer?, size: Int, name: String) -> [UInt8] {
    var out = [UInt8](repeating: 0, count: Int(EVP_MAX_MD_SIZE))
    var length: UInt32 = 0
    let ok = bytes.withUnsafeBytes { input in
        EVP_Digest(input.baseAddress, input.count, &out, &length, md, nil)
    }
    precondition(ok == 1 && Int(length) == size, "OpenSSL's \(name) failed")
    return Array(out.prefix(size))
}
