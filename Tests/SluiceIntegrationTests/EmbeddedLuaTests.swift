import Foundation
import Testing

/// The Lua the executables carry (Sources/SluiceStore/Scripts/EmbeddedLua.swift) is generated from
/// the .lua files by scripts/embed-lua.py; an edit to either without regenerating fails here.
@Suite("Embedded Lua")
struct EmbeddedLuaTests {
    @Test("EmbeddedLua.swift is exactly what scripts/embed-lua.py makes of Sources/SluiceStore/Lua")
    func embeddedMatchesFiles() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let check = try runProcess("/usr/bin/python3", [root.appendingPathComponent("scripts/embed-lua.py").path, "--check"])
        #expect(check.status == 0, "EmbeddedLua.swift is stale: run `make lua` (python3 scripts/embed-lua.py)")
    }
}
