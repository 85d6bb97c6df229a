#if canImport(Glibc)
    import Glibc
#endif

/// The process's limit on open files (`RLIMIT_NOFILE`): every connection the resumer holds is one.
enum DescriptorLimit {
    /// Raises the soft limit to at least `needed` when the hard limit allows (as far as it allows
    /// otherwise) and returns the soft limit then in force; `nil` when it cannot be read.
    static func raise(toAtLeast needed: Int) -> Int? {
        var limit = rlimit()
        guard getrlimit(resource, &limit) == 0 else { return nil }
        let wanted = rlim_t(max(0, needed))
        if limit.rlim_cur != Self.unlimited, limit.rlim_cur < wanted {
            var raised = limit
            raised.rlim_cur = limit.rlim_max == Self.unlimited ? wanted : min(wanted, limit.rlim_max)
            if setrlimit(resource, &raised) == 0 { limit = raised }
        }
        return limit.rlim_cur == Self.unlimited ? Int.max : Int(clamping: limit.rlim_cur)
    }

    /// `RLIM_INFINITY` (all bits set), which Swift cannot import from its C macro.
    private static let unlimited = rlim_t.max

    private static var resource: __rlimit_resource_t { __rlimit_resource_t(RLIMIT_NOFILE.rawValue) }
}
