import Testing
@testable import LessonKit

@Suite("KeyValueMessage: the protobuf codec")
struct KeyValueMessageTests {
    @Test("the example of docs/kv-protocol.md, byte for byte")
    func specExample() throws {
        let put = KeyValueMessage(key: "color", value: "blue", kind: .put)
        #expect(put.encoded() == bytes("0a 05 63 6f 6c 6f 72 12 04 62 6c 75 65 18 01"))
        #expect(put.encodedSize == 15)
        #expect(try KeyValueFrame.encode(put) == bytes("13 00 00 00 0a 05 63 6f 6c 6f 72 12 04 62 6c 75 65 18 01 0d 0a 0d 0a"))
        let reply = KeyValueMessage(key: "color", kind: .put, status: .ok)
        #expect(try KeyValueFrame.encode(reply) == bytes("0d 00 00 00 0a 05 63 6f 6c 6f 72 18 01 0d 0a 0d 0a"))
        #expect(try KeyValueMessage(decoding: bytes("0a 05 63 6f 6c 6f 72 12 04 62 6c 75 65 18 01")) == put)
    }

    @Test("defaults are left out; the empty body is the all-default message")
    func defaults() throws {
        #expect(KeyValueMessage().encoded() == [])
        #expect(KeyValueMessage(status: .notOK).encoded() == bytes("20 01"))
        #expect(KeyValueMessage(status: .ok).encoded() == [])
        let empty = try KeyValueMessage(decoding: [UInt8]())
        #expect(empty == KeyValueMessage())
        #expect(empty.kind == KeyValueMessage.Kind(rawValue: 0) && empty.status == .ok && empty.key.isEmpty)
        #expect(try KeyValueFrame.encode(KeyValueMessage()) == bytes("04 00 00 00 0d 0a 0d 0a"))
    }

    @Test("every sample message decodes to itself, from an array and from a slice")
    func roundTrips() throws {
        for message in sampleMessages {
            let body = message.encoded()
            #expect(body.count == message.encodedSize)
            #expect(try KeyValueMessage(decoding: body) == message)
            let framed = [0xaa] + body + [0xbb]
            #expect(try KeyValueMessage(decoding: framed[1..<(framed.count - 1)]) == message)
        }
    }

    @Test("a negative status is sign-extended to 10 bytes, as an int32 is")
    func negativeStatus() throws {
        let body = KeyValueMessage(status: KeyValueMessage.Status(rawValue: -1)).encoded()
        #expect(body == bytes("20 ff ff ff ff ff ff ff ff ff 01"))
        // A writer that did not sign-extend (32 bits only) is read the same way.
        #expect(try KeyValueMessage(decoding: bytes("20 ff ff ff ff 0f")).status.rawValue == -1)
    }

    @Test("varints of every length, 1 to 10 bytes, at both ends of each length")
    func varintLengths() throws {
        for length in 1...10 {
            let (smallest, largest) = varintBounds(length: length)
            for value in [smallest, largest] {
                var encoded: [UInt8] = []
                ProtobufWire.appendVarint(value, to: &encoded)
                #expect(encoded.count == length, "\(value)")
                #expect(ProtobufWire.varintSize(value) == length)
                var reader = ProtobufReader(encoded)
                #expect(try reader.readVarint() == value)
                #expect(reader.isAtEnd)
                // Cut short by one byte: truncated.
                var short = ProtobufReader(Array(encoded.dropLast()))
                #expect(throws: ProtobufError.truncatedVarint(at: 0)) { try short.readVarint() }
                // As an unknown field 5 between known ones: skipped, whatever its length.
                var body = BodyBuilder(bytes: KeyValueMessage(key: "before").encoded())
                body.varint(5, value)
                body.bytes += KeyValueMessage(kind: .get).encoded()
                #expect(try KeyValueMessage(decoding: body.bytes) == KeyValueMessage(key: "before", kind: .get))
                if value <= UInt64(UInt32.max) {
                    let kind = KeyValueMessage.Kind(rawValue: UInt32(value))
                    #expect(try KeyValueMessage(decoding: KeyValueMessage(kind: kind).encoded()).kind == kind)
                }
            }
        }
    }

    @Test("unknown fields of wire types 0, 1, 2 and 5 are skipped, and so are known numbers with another wire type")
    func unknownFields() throws {
        var body = BodyBuilder()
        body.varint(5, 300)
        body.bytes += KeyValueMessage(key: "color").encoded()
        body.fixed64(6, 0x0102_0304_0506_0708)
        body.lengthDelimited(7, bytes("0d 0a 0d 0a ff 00"))  // a footer and non-UTF-8 inside: not our business
        body.fixed32(8, 0xdead_beef)
        body.bytes += KeyValueMessage(value: "blue").encoded()
        body.varint(ProtobufWire.maxFieldNumber, 1)  // the largest field number: a 5-byte tag
        body.lengthDelimited(9, [])
        body.varint(1, 99)  // field 1 (key) as a varint: an unknown field, as protobuf reads it
        body.lengthDelimited(3, [1, 2])  // field 3 (kind) as length-delimited: likewise
        body.fixed32(4, 1)  // field 4 (status) as 32-bit: likewise
        body.bytes += KeyValueMessage(kind: .put).encoded()
        #expect(try KeyValueMessage(decoding: body.bytes) == KeyValueMessage(key: "color", value: "blue", kind: .put))
    }

    @Test("a field that comes twice takes its last value")
    func lastValueWins() throws {
        let body =
            KeyValueMessage(key: "first", value: "one", kind: .get, status: .notOK).encoded()
            + KeyValueMessage(key: "second", kind: .put).encoded() + bytes("20 00")
        #expect(try KeyValueMessage(decoding: body) == KeyValueMessage(key: "second", value: "one", kind: .put, status: .ok))
    }

    /// Malformed bodies and the reason each gives.
    static let malformed: [(String, ProtobufError, String)] = [
        ("0a", .truncatedVarint(at: 1), "truncated varint at byte 1"),
        ("18 80 80", .truncatedVarint(at: 1), "truncated varint at byte 1"),
        ("80", .truncatedVarint(at: 0), "truncated varint at byte 0"),
        ("0a 05 63 6f", .truncatedField(1, at: 0, needs: 5, left: 2), "truncated field 1 (key) at byte 0: needs 5 bytes, 2 left"),
        (
            "18 01 12 ff ff ff ff 0f", .truncatedField(2, at: 2, needs: 4_294_967_295, left: 0),
            "truncated field 2 (value) at byte 2: needs 4294967295 bytes, 0 left"
        ),
        (
            "3a ff ff ff ff ff ff ff ff ff 01", .truncatedField(7, at: 0, needs: .max, left: 0),
            "truncated field 7 at byte 0: needs 18446744073709551615 bytes, 0 left"
        ),
        ("31 01 02", .truncatedField(6, at: 0, needs: 8, left: 2), "truncated field 6 at byte 0: needs 8 bytes, 2 left"),
        ("2d 01", .truncatedField(5, at: 0, needs: 4, left: 1), "truncated field 5 at byte 0: needs 4 bytes, 1 left"),
        ("18 ff ff ff ff ff ff ff ff ff ff 01", .varintTooLong(at: 1), "varint at byte 1 is longer than 10 bytes or wider than 64 bits"),
        ("18 ff ff ff ff ff ff ff ff ff 02", .varintTooLong(at: 1), "varint at byte 1 is longer than 10 bytes or wider than 64 bits"),
        ("12 02 c3 28", .invalidUTF8(field: 2), "field 2 (value) is not valid UTF-8"),
        ("0a 01 ff", .invalidUTF8(field: 1), "field 1 (key) is not valid UTF-8"),
        ("0a 03 ed a0 80", .invalidUTF8(field: 1), "field 1 (key) is not valid UTF-8"),  // a UTF-16 surrogate
        ("00", .invalidFieldNumber(0, at: 0), "invalid field number 0 at byte 0 (field numbers are 1 to 536870911)"),
        (
            "0a 00 80 80 80 80 10", .invalidFieldNumber(536_870_912, at: 2),
            "invalid field number 536870912 at byte 2 (field numbers are 1 to 536870911)"
        ),
        ("1b", .unsupportedWireType(3, field: 3, at: 0), "field 3 at byte 0 has wire type 3 (start group), which this message does not allow"),
        ("2b 2c", .unsupportedWireType(3, field: 5, at: 0), "field 5 at byte 0 has wire type 3 (start group), which this message does not allow"),
        ("18 01 2c", .unsupportedWireType(4, field: 5, at: 2), "field 5 at byte 2 has wire type 4 (end group), which this message does not allow"),
        ("2e", .unsupportedWireType(6, field: 5, at: 0), "field 5 at byte 0 has wire type 6 (undefined), which this message does not allow"),
        ("0f", .unsupportedWireType(7, field: 1, at: 0), "field 1 at byte 0 has wire type 7 (undefined), which this message does not allow"),
        (
            "18 80 80 80 80 10", .valueTooLarge(field: 3, value: 4_294_967_296, at: 0),
            "field 3 (kind) at byte 0 is 4294967296, wider than 32 bits"
        ),
        (
            "20 ff ff ff ff ff ff ff ff 7f", .valueTooLarge(field: 4, value: 0x7fff_ffff_ffff_ffff, at: 0),
            "field 4 (status) at byte 0 is 9223372036854775807, wider than 32 bits"
        ),
    ]

    @Test("malformed bodies are refused with a reason that says where", arguments: 0..<malformed.count)
    func malformedBodies(index: Int) {
        let (body, error, reason) = Self.malformed[index]
        let array = bytes(body)
        #expect(throws: error) { try KeyValueMessage(decoding: array) }
        // A slice (read in place) and any other collection (copied) give the same error, with
        // byte offsets counted from the body's start, not from the slice's indices.
        let framed = [0xAA, 0xBB] + array + [0xCC]
        #expect(throws: error) { try KeyValueMessage(decoding: framed[2..<(2 + array.count)]) }
        #expect(throws: error) { try KeyValueMessage(decoding: AnyCollection(array)) }
        #expect(error.description == reason)
    }

    /// UTF-8 at its edges: each key alone in a body, valid or not.
    static let utf8Edges: [(String, Bool)] = [
        ("ef bf bd", true),  // U+FFFD itself, which a repairing decoder would also produce
        ("00 61", true),  // NUL is a valid character
        ("f0 9f 98 80", true),  // a 4-byte emoji
        ("f4 8f bf bf", true),  // U+10FFFF, the last code point
        ("f4 90 80 80", false),  // past U+10FFFF
        ("c0 80", false),  // an overlong NUL
        ("e0 80 80", false),  // overlong
        ("f0 80 80 80", false),  // overlong
        ("ed bf bf", false),  // a surrogate
        ("e2 82 61", false),  // a sequence cut short by an ASCII byte
        ("61 e2 82", false),  // a sequence cut short by the end of the field
        ("bf", false),  // a lone continuation byte
        ("fe", false),
    ]

    @Test("keys at UTF-8's edges: valid ones kept byte for byte, invalid ones refused", arguments: 0..<utf8Edges.count)
    func utf8AtTheEdges(index: Int) throws {
        let (hex, valid) = Self.utf8Edges[index]
        let key = bytes(hex)
        let body = [0x0a, UInt8(key.count)] + key
        if valid {
            let message = try KeyValueMessage(decoding: body[...])
            #expect(Array(message.key.utf8) == key)
        } else {
            #expect(throws: ProtobufError.invalidUTF8(field: 1)) { try KeyValueMessage(decoding: body[...]) }
            #expect(throws: ProtobufError.invalidUTF8(field: 1)) { try KeyValueMessage(decoding: body) }
        }
    }

    @Test("a frame holds at most maxLength bytes after its header")
    func frameLimit() throws {
        // A value of n bytes takes 1 (tag) + 3 (length, for 16 KiB to 2 MiB) + n bytes of body.
        let largest = KeyValueMessage(value: String(repeating: "v", count: KeyValueFrame.maxLength - 8))
        let frame = try KeyValueFrame.encode(largest)
        #expect(frame.count == KeyValueFrame.headerSize + KeyValueFrame.maxLength)
        #expect(Array(frame.prefix(4)) == [0x00, 0x00, 0x10, 0x00])
        #expect(Array(frame.suffix(4)) == KeyValueFrame.footer)
        let over = KeyValueMessage(value: String(repeating: "v", count: KeyValueFrame.maxLength - 7))
        #expect(throws: KeyValueFrame.TooLargeError(length: KeyValueFrame.maxLength + 1)) { try KeyValueFrame.encode(over) }
        #expect(KeyValueFrame.TooLargeError(length: 1_048_577).description == "frame length 1048577 is over the limit of 1048576 bytes")
        #expect(KeyValueFrame.maxLength == 1_048_576 && KeyValueFrame.headerSize == 4 && KeyValueFrame.footer == bytes("0d 0a 0d 0a"))
    }

    @Test("names and descriptions read as the protocol does; control characters are escaped")
    func descriptions() {
        #expect(KeyValueMessage.Kind.put.rawValue == 1 && KeyValueMessage.Kind.get.rawValue == 2)
        #expect(KeyValueMessage.Status.ok.rawValue == 0 && KeyValueMessage.Status.notOK.rawValue == 1)
        let message = KeyValueMessage(key: "a\"b\\c\n\u{1b}", value: "blue", kind: .put, status: .notOK)
        #expect(message.description == #"{key: "a\"b\\c\n\x1b", value: "blue", kind: put, status: NOT_OK}"#)
        #expect(KeyValueMessage(kind: 9, status: KeyValueMessage.Status(rawValue: -3)).description == #"{key: "", value: "", kind: 9, status: -3}"#)
        let long = KeyValueMessage(value: String(repeating: "x", count: 100)).description
        #expect(long == "{key: \"\", value: \"" + String(repeating: "x", count: 64) + "…\", kind: 0, status: OK}")
    }
}
