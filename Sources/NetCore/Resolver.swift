#if canImport(Glibc)
import Glibc
#endif
import Dispatch
import Synchronization

/// Turns a host into addresses without ever blocking the cooperative thread pool: IP literals
/// and `localhost` are answered directly; any other name is looked up with `getaddrinfo` on a
/// thread of its own, and the caller stops waiting at the deadline or on cancellation (the
/// lookup thread finishes on its own and its answer is dropped).
enum Resolver {
    static func addresses(for host: String, port: UInt16, deadline: Deadline?, original: String) async throws -> [SocketAddress] {
        if host.isEmpty || host == "localhost" {
            return [SocketAddress(ip: [127, 0, 0, 1], port: port)!, SocketAddress(ip: [UInt8](repeating: 0, count: 15) + [1], port: port)!]
        }
        if let ip = SocketAddress.parseIP(host) { return [SocketAddress(ip: ip, port: port)!] }
        if let deadline, deadline <= .now { throw NetError(.deadlineExceeded, op: "dial", address: original) }

        let outcome = OneShot<Result<[SocketAddress], NetError>>()
        let request = LookupRequest(host: host, port: port, original: original, outcome: outcome)
        startLookupThread(request)
        if let deadline {
            let delay = ContinuousClock.now.duration(to: deadline)
            DispatchQueue.global().asyncAfter(deadline: .now() + .nanoseconds(Int(clamping: delay.nanosecondsClamped))) {
                outcome.fulfil(.failure(NetError(.deadlineExceeded, op: "dial", address: original)))
            }
        }
        return try await outcome.value(onCancel: .failure(NetError(.canceled, op: "dial", address: original))).get()
    }

    private final class LookupRequest: Sendable {
        let host: String
        let port: UInt16
        let original: String
        let outcome: OneShot<Result<[SocketAddress], NetError>>
        init(host: String, port: UInt16, original: String, outcome: OneShot<Result<[SocketAddress], NetError>>) {
            self.host = host
            self.port = port
            self.original = original
            self.outcome = outcome
        }

        func run() {
            var hints = addrinfo()
            hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
            var list: UnsafeMutablePointer<addrinfo>?
            let rc = getaddrinfo(host, nil, &hints, &list)
            guard rc == 0, let first = list else {
                let why = rc == 0 ? "no such host" : String(cString: gai_strerror(rc)).lowercased()
                outcome.fulfil(.failure(NetError(.unknownHost, op: "dial", address: original, detail: "lookup \(host): \(why)")))
                return
            }
            defer { freeaddrinfo(list) }
            var found: [SocketAddress] = []
            var node: UnsafeMutablePointer<addrinfo>? = first
            while let current = node {
                if let sa = current.pointee.ai_addr, let address = SocketAddress(storage: UnsafeRawPointer(sa)) {
                    let withPort = SocketAddress(ip: address.ip, port: port, scopeID: address.scopeID)!
                    if !found.contains(withPort) { found.append(withPort) }
                }
                node = current.pointee.ai_next
            }
            outcome.fulfil(
                found.isEmpty
                    ? .failure(NetError(.unknownHost, op: "dial", address: original, detail: "lookup \(host): no such host"))
                    : .success(found))
        }
    }

    private static func startLookupThread(_ request: LookupRequest) {
        var thread = pthread_t()
        let context = Unmanaged.passRetained(request).toOpaque()
        let rc = pthread_create(
            &thread, nil,
            { context in
                Unmanaged<LookupRequest>.fromOpaque(context!).takeRetainedValue().run()
                return nil
            }, context)
        if rc == 0 {
            pthread_detach(thread)
        } else {
            Unmanaged<LookupRequest>.fromOpaque(context).release()
            request.outcome.fulfil(.failure(NetError(.system(rc), op: "dial", address: request.original, detail: "lookup thread")))
        }
    }
}

/// A value delivered once, by whichever of several sources comes first; later deliveries are
/// dropped. The waiter can be cancelled.
final class OneShot<Value: Sendable>: Sendable {
    private struct State {
        var value: Value?
        var waiter: UnsafeContinuation<Value, Never>?
    }

    private let state = Locked(State())

    func fulfil(_ value: Value) {
        let waiter: UnsafeContinuation<Value, Never>? = state.withLock { s in
            guard s.value == nil else { return nil }
            s.value = value
            let waiter = s.waiter
            s.waiter = nil
            return waiter
        }
        waiter?.resume(returning: value)
    }

    func value(onCancel cancelled: Value) async -> Value {
        await withTaskCancellationHandler {
            await withUnsafeContinuation { (continuation: UnsafeContinuation<Value, Never>) in
                let ready: Value? = state.withLock { s in
                    if let value = s.value { return value }
                    s.waiter = continuation
                    return nil
                }
                if let ready { continuation.resume(returning: ready) }
            }
        } onCancel: {
            fulfil(cancelled)
        }
    }
}
