/// ALPN protocol names in the wire format: each name preceded by its one-byte length.
func alpnWireFormat(_ protocols: [String]) throws -> [UInt8] {
    var wire: [UInt8] = []
    for name in protocols {
        let bytes = Array(name.utf8)
        guard !bytes.isEmpty, bytes.count <= 255 else {
            throw TLSError(.configuration, "ALPN protocol name \"\(name)\" must be 1 to 255 bytes long")
        }
        wire.append(UInt8(bytes.count))
        wire += bytes
    }
    return wire
}
