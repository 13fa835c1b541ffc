// mistake: rejects-unusual-record-version
// fails: ignores the record-layer version
//
// Refuses a record whose version is not 03 01 to 03 03, as this lesson once taught. The record
// version is legacy_record_version, which RFC 8446 §5.1 says MUST be ignored: a client that sends
// 03 00 (as RFC 5246 allows for a first hello) or 03 04 is turned away by this server alone.
enum RejectsUnusualRecordVersion {
    static func main() -> Never {
        HelloServer(checkRecordVersion: { version in
            // The mistake: a legacy field treated as a rule.
            guard (0x0301...0x0303).contains(version) else {
                throw HelloError("record version \(version >> 8).\(version & 0xff) is not TLS (3.1 to 3.3)")
            }
        }).run()
    }
}
