import NetCore

func reason(_ error: any Error) -> String {
    if let net = error as? NetError { return net.reason }
    return "\(error)"
}

func isTimeout(_ error: any Error) -> Bool {
    (error as? NetError)?.isTimeout ?? false
}
