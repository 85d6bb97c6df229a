extension SandboxSettings {
    /// The visible path through which sandboxed jobs could read `file` (a secrets key must never
    /// be one), or `nil` when jobs cannot see it: outside every visible path, or hidden (the default
    /// place, `/etc/sluice`, is hidden). Without a sandbox every file of the worker's user is
    /// within jobs' reach: the answer is `/`.
    public func exposure(of file: String) -> String? {
        guard mode == .bubblewrap else { return "/" }
        let real = BubblewrapSandbox.canonical(file)
        guard !hiddenPaths.contains(where: { BubblewrapSandbox.isInside(real, BubblewrapSandbox.canonical($0)) }) else { return nil }
        return (visiblePaths + readOnlyPaths).first { BubblewrapSandbox.isInside(real, BubblewrapSandbox.canonical($0)) }
    }
}
