/// Why a body is not a valid `KeyValueMessage`: what Go's `proto.Unmarshal` reports as an
/// error. Offsets count bytes from the start of the body, the first byte being byte 0.
///
/// `description` is one line for a log: `truncated varint at byte 3`,
/// `field 2 (value) is not valid UTF-8`.
public enum ProtobufError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The body ends inside a varint that starts at this offset.
    case truncatedVarint(at: Int)
    /// A varint longer than 10 bytes, or one whose value needs more than 64 bits.
    case varintTooLong(at: Int)
    /// A tag whose field number is 0 or above 2^29 − 1, which protobuf forbids.
    case invalidFieldNumber(UInt64, at: Int)
    /// A field of wire type 3 or 4 (groups) or 6 or 7 (undefined), which this message does not hold.
    case unsupportedWireType(UInt8, field: UInt64, at: Int)
    /// A field, starting at this offset, whose value needs more bytes than the body has left.
    case truncatedField(UInt64, at: Int, needs: UInt64, left: Int)
    /// `key` (field 1) or `value` (field 2) is not valid UTF-8.
    case invalidUTF8(field: UInt64)
    /// `kind` (field 3) or `status` (field 4) holds a value wider than 32 bits.
    case valueTooLarge(field: UInt64, value: UInt64, at: Int)

    /// The reason, one line: `truncated varint at byte 3`.
    public var description: String {
        switch self {
        case .truncatedVarint(let at):
            return "truncated varint at byte \(at)"
        case .varintTooLong(let at):
            return "varint at byte \(at) is longer than 10 bytes or wider than 64 bits"
        case .invalidFieldNumber(let field, let at):
            return "invalid field number \(field) at byte \(at) (field numbers are 1 to 536870911)"
        case .unsupportedWireType(let wireType, let field, let at):
            return "field \(field) at byte \(at) has wire type \(wireType) (\(ProtobufWire.name(ofWireType: wireType))), "
                + "which this message does not allow"
        case .truncatedField(let field, let at, let needs, let left):
            return "truncated field \(Self.fieldName(field)) at byte \(at): needs \(needs) bytes, \(left) left"
        case .invalidUTF8(let field):
            return "field \(Self.fieldName(field)) is not valid UTF-8"
        case .valueTooLarge(let field, let value, let at):
            return "field \(Self.fieldName(field)) at byte \(at) is \(value), wider than 32 bits"
        }
    }

    /// `2 (value)` for a field of KeyValueMessage, `7` for another.
    static func fieldName(_ field: UInt64) -> String {
        switch field {
        case 1: return "1 (key)"
        case 2: return "2 (value)"
        case 3: return "3 (kind)"
        case 4: return "4 (status)"
        default: return "\(field)"
        }
    }
}
