#if canImport(Glibc)
import Glibc
#endif

/// Raises the soft limit on open descriptors (RLIMIT_NOFILE) to the hard limit, as every Go
/// program has done at startup since Go 1.19. Many systems start processes with a soft limit of
/// 1,024, which a server with a thousand clients (lesson 2's check) or the checker talking to it
/// would reach; the hard limit is what the administrator allows. Returns the soft limit now in
/// force.
@discardableResult
public func raiseDescriptorLimit() -> Int {
    var limit = rlimit()
    guard getrlimit(__rlimit_resource_t(RLIMIT_NOFILE.rawValue), &limit) == 0 else { return -1 }
    if limit.rlim_cur < limit.rlim_max {
        var raised = limit
        raised.rlim_cur = limit.rlim_max
        if setrlimit(__rlimit_resource_t(RLIMIT_NOFILE.rawValue), &raised) == 0 { limit = raised }
    }
    return Int(clamping: limit.rlim_cur)  // RLIM_INFINITY is the largest value: Int.max
}
