import CheckResults
import CheckLanguage
import NetTLS

/// RFC 6455 on the wire, the checker's side: client frames built exactly as a check writes
/// them, server frames decoded under a size bound, and the handshake's key and accept value
/// (SHA-1 and base64 from NetTLS, over the system's OpenSSL).
///
/// Everything decoded here came from the program under check: it is bounded (a frame of more
/// than ``maximumFrame`` bytes is refused before anything of that size is awaited) and never
/// trusted (shown through `Bytes.quoted`).
enum WebSocketWire {
    /// RFC 6455 §1.3: appended to the key before hashing.
    static let guid = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"
    /// The largest frame the checker accepts from a server.
    static let maximumFrame = WebSocketData.maximumFill
    /// The longest frame header: 2 bytes, 8 of extended length, 4 of masking key.
    static let maximumHeader = 14

    // MARK: Handshake

    /// A fresh `Sec-WebSocket-Key`: base64 of 16 random bytes.
    static func newKey() -> String {
        base64Encode(secureRandomBytes(16) ?? (0..<16).map { _ in UInt8.random(in: 0...255) })
    }

    /// `Sec-WebSocket-Accept` for `key`: base64(SHA-1(key + GUID)).
    static func accept(forKey key: String) -> String {
        base64Encode(sha1(Array((key + guid).utf8)))
    }

    // MARK: Client frames

    /// The frame's bytes: header, masking key (unless `mask no`), masked payload.
    static func encode(_ frame: WebSocketFrame) -> [UInt8] {
        let payload = frame.payload.bytes
        var out: [UInt8] = []
        out.reserveCapacity(payload.count + maximumHeader)
        out.append((frame.fin ? 0x80 : 0) | (frame.rsv & 7) << 4 | (frame.opcode & 0x0f))
        let length = frame.declaredLength ?? UInt64(payload.count)
        let form = frame.lengthForm ?? (length <= 125 ? 7 : length <= 65535 ? 16 : 64)
        let maskBit: UInt8 = frame.mask == .none ? 0 : 0x80
        switch form {
        case 7:
            out.append(maskBit | UInt8(length))
        case 16:
            out.append(maskBit | 126)
            out += [UInt8(length >> 8 & 0xff), UInt8(length & 0xff)]
        default:
            out.append(maskBit | 127)
            for shift in stride(from: 56, through: 0, by: -8) { out.append(UInt8(length >> UInt64(shift) & 0xff)) }
        }
        let key: [UInt8]
        switch frame.mask {
        case .none:
            out += payload
            return out
        case .key(let k): key = k
        case .random: key = secureRandomBytes(4) ?? (0..<4).map { _ in UInt8.random(in: 0...255) }
        }
        out += key
        out += masked(payload, key: key)
        return out
    }

    /// `payload` XOR the repeated 4-byte `key` (RFC 6455 §5.3), eight bytes at a time.
    static func masked(_ payload: [UInt8], key: [UInt8]) -> [UInt8] {
        var out = payload
        let word = UInt64(key[0]) | UInt64(key[1]) << 8 | UInt64(key[2]) << 16 | UInt64(key[3]) << 24
        let key64 = word | word << 32  // little-endian: byte i of the word is key[i % 4]
        out.withUnsafeMutableBytes { raw in
            let words = raw.count / 8
            for w in 0..<words {
                let v = raw.loadUnaligned(fromByteOffset: w * 8, as: UInt64.self)
                raw.storeBytes(of: (v.littleEndian ^ key64).littleEndian, toByteOffset: w * 8, as: UInt64.self)
            }
            for i in (words * 8)..<raw.count { raw[i] ^= key[i & 3] }
        }
        return out
    }

    /// How a transcript shows a frame the checker sends or receives: `text "hello" (5 bytes)`,
    /// `close 1000 "bye"`, `ping (empty)`, `binary hex 00 ff (2 bytes)`, with `fin 0` and other
    /// unusual bits named.
    static func describe(opcode: UInt8, payload: [UInt8], fin: Bool = true, rsv: UInt8 = 0, masked: Bool? = nil) -> String {
        var out = WebSocketOpcode.name(opcode)
        if opcode == WebSocketOpcode.close, payload.count >= 2 {
            out += " \(UInt16(payload[0]) << 8 | UInt16(payload[1]))"
            let reason = payload.dropFirst(2)
            if !reason.isEmpty { out += " " + Bytes.quoted(reason, limit: 80) }
        } else if payload.isEmpty {
            out += " (empty)"
        } else {
            // Only the part shown is looked at: a payload may be megabytes.
            let head = Array(payload.prefix(80))
            let shown = Bytes.isText(head) ? Bytes.quoted(head) : "hex " + Bytes.hexWords(Array(head.prefix(24)), limit: 24)
            out += " \(shown)\(payload.count > head.count ? " …" : "") (\(Bytes.size(payload.count)))"
        }
        if !fin { out += " fin 0" }
        if rsv != 0 { out += " rsv \(rsv)" }
        if masked == false { out += " unmasked" }
        return out
    }

    static func describe(_ frame: WebSocketFrame) -> String {
        var out: String
        if frame.payload.count > 256 {
            out = WebSocketOpcode.name(frame.opcode) + " of \(Bytes.size(frame.payload.count))"
            if case .fill = frame.payload { out += " (fill)" }
            if !frame.fin { out += " fin 0" }
            if frame.rsv != 0 { out += " rsv \(frame.rsv)" }
            if frame.mask == .none { out += " unmasked" }
        } else {
            out = describe(opcode: frame.opcode, payload: frame.payload.bytes, fin: frame.fin, rsv: frame.rsv, masked: frame.mask != .none)
        }
        if let form = frame.lengthForm { out += " length-form \(form)" }
        if let declared = frame.declaredLength { out += " declared-length \(declared)" }
        return out
    }

    // MARK: Server frames

    /// A frame as the server sent it.
    struct Frame: Equatable {
        var fin: Bool
        var rsv: UInt8
        var opcode: UInt8
        var masked: Bool
        var payload: [UInt8]
    }

    enum Scan: Equatable {
        /// More bytes are needed: at least this many from the frame's start.
        case incomplete(needed: Int)
        /// Not a frame the checker will wait for, in words.
        case invalid(String)
        /// A whole frame of `size` bytes on the wire.
        case frame(Frame, size: Int)
    }

    /// The frame at the start of `bytes`, as far as it has arrived. Only the header is looked
    /// at until the whole frame is there; a length over ``maximumFrame`` is refused at once.
    static func scan(_ bytes: [UInt8]) -> Scan {
        guard bytes.count >= 2 else { return .incomplete(needed: 2) }
        let masked = bytes[1] & 0x80 != 0
        var length = UInt64(bytes[1] & 0x7f)
        var offset = 2
        if length == 126 {
            guard bytes.count >= 4 else { return .incomplete(needed: 4) }
            length = UInt64(bytes[2]) << 8 | UInt64(bytes[3])
            offset = 4
        } else if length == 127 {
            guard bytes.count >= 10 else { return .incomplete(needed: 10) }
            length = bytes[2..<10].reduce(0) { $0 << 8 | UInt64($1) }
            offset = 10
            if length >> 63 != 0 {
                return .invalid("its 64-bit length has the top bit set (\(length)), which RFC 6455 §5.2 forbids")
            }
        }
        guard length <= UInt64(maximumFrame) else {
            return .invalid("it announces \(length) bytes of payload, over the \(Bytes.size(maximumFrame)) the checker accepts in one frame")
        }
        if masked { offset += 4 }
        let total = offset + Int(length)
        guard bytes.count >= total else { return .incomplete(needed: total) }
        var payload = Array(bytes[offset..<total])
        if masked { payload = Self.masked(payload, key: Array(bytes[(offset - 4)..<offset])) }
        let frame = Frame(fin: bytes[0] & 0x80 != 0, rsv: bytes[0] >> 4 & 7, opcode: bytes[0] & 0x0f, masked: masked, payload: payload)
        return .frame(frame, size: total)
    }

    /// What is wrong with a server's frame by RFC 6455 §5, or nil when nothing is.
    static func violation(_ frame: Frame) -> String? {
        if frame.masked { return "the server masked its frame (RFC 6455 §5.1: a server must not)" }
        if frame.rsv != 0 { return "the frame has RSV bits set (\(frame.rsv)) with no extension agreed" }
        if ![0, 1, 2, 8, 9, 10].contains(frame.opcode) { return "the frame has the reserved opcode \(frame.opcode)" }
        if frame.opcode >= 8, !frame.fin { return "the control frame (\(WebSocketOpcode.name(frame.opcode))) is fragmented (FIN 0)" }
        if frame.opcode >= 8, frame.payload.count > 125 {
            return "the control frame (\(WebSocketOpcode.name(frame.opcode))) has \(frame.payload.count) bytes of payload; at most 125 are allowed"
        }
        return nil
    }
}
