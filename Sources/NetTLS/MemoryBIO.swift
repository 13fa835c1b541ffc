import COpenSSL

enum MemoryBIO {
    /// A read-only memory BIO over a copy of `bytes`, for the PEM readers. Free with `BIO_free`.
    static func reading(_ bytes: [UInt8]) -> OpaquePointer? {
        let bio = BIO_new(BIO_s_mem())
        guard let bio else { return nil }
        if !bytes.isEmpty {
            _ = bytes.withUnsafeBytes { BIO_write(bio, $0.baseAddress, Int32($0.count)) }
        }
        return bio
    }

    /// Runs `body` with a fresh memory BIO and returns what it wrote there.
    static func collect(_ body: (OpaquePointer) -> Int32) -> [UInt8]? {
        guard let bio = BIO_new(BIO_s_mem()) else { return nil }
        defer { BIO_free(bio) }
        guard body(bio) > 0 else { return nil }
        var data: UnsafeMutablePointer<CChar>?
        let length = netlab_BIO_get_mem_data(bio, &data)
        guard let data, length > 0 else { return [] }
        return Array(UnsafeRawBufferPointer(start: data, count: length))
    }
}
