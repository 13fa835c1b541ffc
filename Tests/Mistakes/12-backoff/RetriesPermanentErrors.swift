// mistake: retries-permanent-errors
// fails: gives up on an address that can never work
//
// Treats every error as worth another try, as the seed's `errors.Is(err, net.ErrClosed)` does:
// an address that can never work is retried for ever, and the mistake in the configuration hides
// in a log full of retries.
enum RetriesPermanentErrors {
    static let variant = Variant(isTransient: { _ in true })
}
