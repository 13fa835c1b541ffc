/// Checks UTF-8 a piece at a time, and says as soon as the bytes so far can never become valid
/// text: what a WebSocket server needs to fail a fragmented text message on its first bad
/// fragment, before the rest arrives (RFC 6455 §8.1). Go's `utf8.Valid` checks a whole slice;
/// this is the same rule (RFC 3629: no overlong forms, no surrogates, nothing above U+10FFFF)
/// fed in pieces.
///
/// ```swift
/// var utf8 = UTF8Validator()
/// guard utf8.feed(fragment) else { throw … 1007 … }   // can never become valid
/// guard utf8.isComplete else { throw … 1007 … }        // at the end: a character was cut short
/// ```
public struct UTF8Validator: Sendable, Equatable {
    /// Continuation bytes still expected for the current character.
    private var needed = 0
    /// The range the next byte must fall in (narrower than 80...BF right after some lead bytes).
    private var low: UInt8 = 0x80
    private var high: UInt8 = 0xBF
    /// Set once a byte could not be valid; stays set.
    public private(set) var failed = false

    public init() {}

    /// Feeds more bytes; false once the text can never be valid (and from then on).
    @discardableResult
    public mutating func feed(_ bytes: some Sequence<UInt8>) -> Bool {
        guard !failed else { return false }
        for byte in bytes {
            if needed == 0 {
                switch byte {
                case 0x00...0x7F: continue
                case 0xC2...0xDF: needed = 1
                case 0xE0: needed = 2; low = 0xA0
                case 0xE1...0xEC, 0xEE...0xEF: needed = 2
                case 0xED: needed = 2; high = 0x9F
                case 0xF0: needed = 3; low = 0x90
                case 0xF1...0xF3: needed = 3
                case 0xF4: needed = 3; high = 0x8F
                default:
                    failed = true
                    return false
                }
            } else {
                guard byte >= low, byte <= high else {
                    failed = true
                    return false
                }
                low = 0x80
                high = 0xBF
                needed -= 1
            }
        }
        return true
    }

    /// True when everything fed so far is valid UTF-8 that ends on a whole character.
    public var isComplete: Bool { !failed && needed == 0 }
}
