// mistake: dial-without-timeout
// fails: dials with a timeout
//
// Dials with no timeout: against an upstream whose host drops the SYNs, the dial waits for the
// kernel to give up, about two minutes, and every line waits with it.
enum DialWithoutTimeout {
    static let variant = Variant(dialTimeout: nil)
}
