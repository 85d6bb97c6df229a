import Testing

extension Tag {
    /// Runs Sluice's built executables (`worker`, `scheduler`, `resumer`, `sluice`) as child
    /// processes: needs `swift build` first, and is the slow part of the suite
    /// (`swift test --skip-build --filter .tags:processes`, or `--skip .tags:processes` to leave it out).
    @Tag static var processes: Self
    /// Drives pages in headless Chromium (`make test-deps` installs it).
    @Tag static var browser: Self
}
