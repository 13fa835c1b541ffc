import NetCore

/// Whether `error` is a deadline that passed (Go's `os.ErrDeadlineExceeded`).
func isTimeout(_ error: any Error) -> Bool {
    (error as? NetError)?.isTimeout ?? false
}
