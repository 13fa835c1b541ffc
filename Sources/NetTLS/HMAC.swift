import COpenSSL

// Message authentication with OpenSSL's HMAC, for data that must be shown not to have been
// changed by someone without the key (netlab's signed results files). Go's counterparts:
// `hmac.New(sha256.New, key)`, `hmac.Equal` and `crypto/rand.Read`.

/// HMAC-SHA256 of `data` under `key` (RFC 2104 with SHA-256): 32 bytes. Go's
/// `hmac.New(sha256.New, key)` followed by `Write(data)` and `Sum(nil)`.
public func hmacSHA256(key: [UInt8], data: [UInt8]) -> [UInt8] {
    var out = [UInt8](repeating: 0, count: Int(EVP_MAX_MD_SIZE))
    var length: UInt32 = 0
    // A null key pointer with length 0 is an empty key to OpenSSL, so an empty array is fine;
    // `HMAC` fails only when it cannot allocate, which no caller can do anything about.
    let done = key.withUnsafeBufferPointer { k in
        data.withUnsafeBufferPointer { d in
            HMAC(EVP_sha256(), k.baseAddress, Int32(k.count), d.baseAddress, d.count, &out, &length)
        }
    }
    precondition(done != nil && length == 32, "OpenSSL's HMAC-SHA256 failed")
    return Array(out.prefix(Int(length)))
}

/// Whether two MACs are equal, in time that depends only on their length (OpenSSL's
/// `CRYPTO_memcmp`), so a forger cannot learn a correct MAC byte by byte from timing.
/// Go's `hmac.Equal`.
public func macsEqual(_ a: [UInt8], _ b: [UInt8]) -> Bool {
    guard a.count == b.count else { return false }
    if a.isEmpty { return true }
    return a.withUnsafeBytes { x in b.withUnsafeBytes { y in CRYPTO_memcmp(x.baseAddress, y.baseAddress, a.count) == 0 } }
}

/// `count` bytes from OpenSSL's cryptographically secure generator (`RAND_bytes`), or nil if
/// it could not be seeded. Go's `crypto/rand.Read`.
public func secureRandomBytes(_ count: Int) -> [UInt8]? {
    precondition(count >= 0 && count <= 1 << 20, "secureRandomBytes: count out of range")
    var out = [UInt8](repeating: 0, count: count)
    if count == 0 { return out }
    let ok = out.withUnsafeMutableBufferPointer { RAND_bytes($0.baseAddress, Int32(count)) }
    return ok == 1 ? out : nil
}
