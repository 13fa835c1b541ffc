/// The frame every `KeyValueMessage` travels in (docs/kv-protocol.md):
///
/// | bytes | what |
/// |---|---|
/// | 4 | `length`: the bytes that follow (body and footer), unsigned, little-endian |
/// | `length − 4` | the body: `message.encoded()`, possibly empty |
/// | 4 | the footer `0d 0a 0d 0a` |
///
/// Reading frames is the lesson, so this holds only the constants a reader checks against,
/// and `encode(_:)` to write a whole frame.
public enum KeyValueFrame {
    /// The size of the length prefix: 4 bytes, a little-endian `UInt32`.
    public static let headerSize = 4

    /// The bytes that end every frame, `"\r\n\r\n"`. A reader checks them; it does not search for them.
    public static let footer: [UInt8] = [0x0d, 0x0a, 0x0d, 0x0a]

    /// The largest `length` a frame may announce: 1 MiB (1,048,576), body and footer. A reader
    /// refuses a larger one before it allocates anything of that size. The smallest is 4
    /// (`footer.count`: an empty body).
    public static let maxLength = 1 << 20

    /// The whole frame for `message`: length, body, footer, ready for one write.
    ///
    /// Throws `TooLargeError` when the body would make `length` exceed `maxLength`.
    public static func encode(_ message: KeyValueMessage) throws(TooLargeError) -> [UInt8] {
        let length = message.encodedSize + footer.count
        guard length <= maxLength else { throw TooLargeError(length: length) }
        var frame: [UInt8] = []
        frame.reserveCapacity(headerSize + length)
        let header = UInt32(length)
        frame.append(UInt8(truncatingIfNeeded: header))
        frame.append(UInt8(truncatingIfNeeded: header >> 8))
        frame.append(UInt8(truncatingIfNeeded: header >> 16))
        frame.append(UInt8(truncatingIfNeeded: header >> 24))
        message.append(to: &frame)
        frame.append(contentsOf: footer)
        return frame
    }

    /// A message too big for one frame.
    public struct TooLargeError: Error, Equatable, Sendable, CustomStringConvertible {
        /// The `length` the frame would have announced.
        public let length: Int

        /// `frame length 1048577 is over the limit of 1048576 bytes`
        public var description: String {
            "frame length \(length) is over the limit of \(KeyValueFrame.maxLength) bytes"
        }
    }
}
