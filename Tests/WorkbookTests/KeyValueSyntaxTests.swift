@testable import CheckLanguage
@testable import CheckRuntime
import Testing

@Suite("Key-value steps: syntax, errors, and the checker's codec")
struct KeyValueSyntaxTests {
    @Test("send … put/get/kv … then …, with delivery options, parses to frames")
    func sendSyntax() throws {
        let s = try steps(
            """
              connect a
              send a put "color" "blue" then get "color" then kv kind 7 key "x\\xff" field 9 varint 300 field 10 bytes hex "00 01" in chunks of 1 every 5ms
              send a kv body hex "1b" within 1s
              send a kv
            """)
        guard case .send(let first) = s[1], case .send(let second) = s[2], case .send(let third) = s[3] else {
            Issue.record("not sends: \(s)")
            return
        }
        #expect(
            first.payload
                == .keyValue([
                    .put(key: Array("color".utf8), value: Array("blue".utf8)), .get(key: Array("color".utf8)),
                    .fields([.kind(7), .key([0x78, 0xff]), .varint(number: 9, 300), .bytes(number: 10, [0, 1])]),
                ]))
        #expect(first.delivery == Delivery(chunking: .size(1), pause: .milliseconds(5)))
        #expect(second.payload == .keyValue([.body([0x1b])]))
        #expect(second.within == .seconds(1))
        #expect(third.payload == .keyValue([.fields([])]))
    }

    @Test("expect ok, not-ok, value and reply parse to the fields they compare")
    func expectSyntax() throws {
        let s = try steps(
            """
              connect a
              expect a ok
              expect a not-ok key "k" within 2s
              expect a received value "blue" kind get
              expect a reply key "k" value "" kind 7 status 3
            """)
        let wanted = s.dropFirst().compactMap { step -> StreamExpectation? in
            if case .expectClient(let e) = step { return e.expectation }
            return nil
        }
        #expect(
            wanted == [
                .reply(ExpectedReply(status: 0), within: nil),
                .reply(ExpectedReply(key: Array("k".utf8), status: 1), within: .seconds(2)),
                .reply(ExpectedReply(value: Array("blue".utf8), kind: 2, status: 0), within: nil),
                .reply(ExpectedReply(key: Array("k".utf8), value: [], kind: 7, status: 3), within: nil),
            ])
    }

    @Test("mistakes are errors at their line and column, with suggestions")
    func errors() {
        let head = "start --listen {listen}\ncheck \"c\"\n  connect a\n"
        let cases: [(String, String)] = [
            (
                "  send a put \"k\"",
                "checks.netlab:4:17: error: unexpected end of line; expected a value after the key, as in `put \"color\" \"blue\"`"
            ),
            (
                "  send a get \"k\" then gte \"k\"",
                "checks.netlab:4:23: error: unexpected `gte` (did you mean `get`?); expected a request after `then`: `put KEY VALUE`, `get KEY` or `kv …`"
            ),
            (
                "  send a kv field 0 varint 1",
                "checks.netlab:4:19: error: `0` is too small; expected a protobuf field number (1 to 536870911) after `field`"
            ),
            (
                "  send a kv field 9 group 1",
                "checks.netlab:4:21: error: unexpected `group`; expected a wire type after `field 9`: `varint N`, `fixed64 N`, `fixed32 N` or `bytes \"…\"` (groups: use `kv body hex`)"
            ),
            (
                "  send a kv field 9 fixed32 4294967296",
                "checks.netlab:4:29: error: `4294967296` is too large; expected a whole number from 0 to 4294967295 after `fixed32`"
            ),
            (
                "  send a kv body \"1b\"",
                "checks.netlab:4:18: error: unexpected string \"1b\"; expected `hex` after `kv body`, as in `kv body hex \"0a 01 61\"`"
            ),
            (
                "  expect a reply kind gte",
                "checks.netlab:4:23: error: unexpected `gte` (did you mean `get`?); expected `put`, `get` or a number after `kind`, such as `kind 7`"
            ),
            ("  expect a ok status ok", "checks.netlab:4:15: error: unexpected `status` after `expect a ok`; expected `key`, `value`, `kind`"),
            ("  expect a okk", "checks.netlab:4:12: error: unknown word `okk` (did you mean `ok`?)"),
            ("  send a random 10 as ok", "checks.netlab:4:23: error: `ok` is a keyword; choose another name for the data"),
        ]
        for (line, expected) in cases {
            let got = firstError(head + line) ?? "no error"
            #expect(got.hasPrefix(expected), "\(line)\n got: \(got)")
        }
    }

    @Test("the codec frames the protocol's worked example byte for byte")
    func workedExample() throws {
        let body = KeyValueWire.body(.put(key: Array("color".utf8), value: Array("blue".utf8)))
        #expect(body == [0x0a, 0x05, 0x63, 0x6f, 0x6c, 0x6f, 0x72, 0x12, 0x04, 0x62, 0x6c, 0x75, 0x65, 0x18, 0x01])
        let frame = KeyValueWire.frame(body)
        #expect(frame.prefix(4) == [0x13, 0, 0, 0])
        #expect(frame.suffix(4) == [0x0d, 0x0a, 0x0d, 0x0a])
        let reply: [UInt8] = [0x0d, 0, 0, 0, 0x0a, 0x05, 0x63, 0x6f, 0x6c, 0x6f, 0x72, 0x18, 0x01, 0x0d, 0x0a, 0x0d, 0x0a]
        guard case .frame(let replyBody, let size) = KeyValueWire.scan(reply + [0x99]) else {
            Issue.record("no frame")
            return
        }
        #expect(size == 17)
        #expect(try KeyValueWire.decode(replyBody) == KeyValueWire.Message(key: Array("color".utf8), kind: 1))
        // Every varint length from 1 to 10 bytes round-trips.
        for bits in stride(from: 0, through: 63, by: 7) {
            let n: UInt64 = bits == 63 ? UInt64.max : (1 << UInt64(bits + 6))
            let encoded = KeyValueWire.encode(.varint(number: 9, n)) + KeyValueWire.encode(.kind(2))
            #expect(try KeyValueWire.decode(encoded) == KeyValueWire.Message(kind: 2, unknownFields: 1), "\(n)")
        }
    }

    @Test("the codec skips unknown fields, keeps the last of a repeated one, and refuses malformed bodies, saying why")
    func decoding() throws {
        let unknown =
            KeyValueWire.encode(.fixed64(number: 20, 7)) + KeyValueWire.encode(.key(Array("a".utf8)))
            + KeyValueWire.encode(.bytes(number: 21, [1, 2])) + KeyValueWire.encode(.fixed32(number: 22, 9))
            + KeyValueWire.encode(.key(Array("b".utf8))) + KeyValueWire.encode(.status(1))
        #expect(try KeyValueWire.decode(unknown) == KeyValueWire.Message(key: Array("b".utf8), status: 1, unknownFields: 3))
        let malformed: [([UInt8], String)] = [
            ([0x18, 0x80], "truncated varint of field 3 at byte 1"),
            ([0x18] + Array(repeating: 0xff, count: 9) + [0x02], "varint of field 3 at byte 1 does not fit in 64 bits"),
            ([0x18, 0x80, 0x80, 0x80, 0x80, 0x10], "field 3 (kind) is 4294967296, more than 32 bits"),
            ([0x0a, 0x01, 0xff], "field 1 (key) is not valid UTF-8"),
            ([0x12, 0x05, 0x61], "field 2 at byte 0 needs 5 bytes; only 1 are left"),
            ([0x2e], "field 5 at byte 0 has wire type 6, which this message cannot hold"),
            ([0x1a, 0x00], "field 3 at byte 0 has wire type 2; expected 0"),
            ([0x00], "field number 0 at byte 0 is not valid (1 to 536870911)"),
        ]
        for (body, reason) in malformed {
            #expect(throws: KeyValueWire.Malformed(reason: reason)) { try KeyValueWire.decode(body) }
        }
        #expect(KeyValueWire.scan([3, 0, 0, 0]) == .invalid("its length is 3, less than the 4 bytes of the footer"))
        #expect(KeyValueWire.scan([8, 0, 0]) == .incomplete(needed: 4))
        #expect(KeyValueWire.scan([8, 0, 0, 0, 0x20]) == .incomplete(needed: 12))
    }
}
