import COpenSSL

/// SHA-256 of `bytes` (32 bytes), by OpenSSL's `EVP_Digest`. Like Go's `sha256.Sum256`.
public func sha256(_ bytes: [UInt8]) -> [UInt8] {
    var digest = [UInt8](repeating: 0, count: Int(EVP_MAX_MD_SIZE))
    var length: UInt32 = 0
    let ok = bytes.withUnsafeBytes { input in
        EVP_Digest(input.baseAddress, input.count, &digest, &length, EVP_sha256(), nil)
    }
    precondition(ok == 1 && length == 32, "OpenSSL's SHA-256 failed")
    return Array(digest.prefix(32))
}
