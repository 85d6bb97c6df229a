import Foundation
import SluiceRedis
import Testing

@testable import SluiceStore

/// The Lua the executables carry (Sources/SluiceStore/Scripts/EmbeddedLua+Includes.swift and +Scripts.swift) is generated from
/// the .lua files by scripts/embed-lua.py; an edit to either without regenerating fails here.
@Suite("Embedded Lua")
struct EmbeddedLuaTests {
    @Test("EmbeddedLua+Includes.swift and +Scripts.swift are exactly what scripts/embed-lua.py makes of Sources/SluiceStore/Lua")
    func embeddedMatchesFiles() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let check = try runProcess("/usr/bin/python3", [root.appendingPathComponent("scripts/embed-lua.py").path, "--check"])
        #expect(check.status == 0, "the embedded Lua is stale: run `make lua` (python3 scripts/embed-lua.py)")
    }
}

/// Every key a script touches that is not derived from data reaches it through `KEYS`.
@Suite("Shared keys through KEYS")
struct SharedKeysTests {
    @Test("no Lua builds a shared key from the namespace; each script's K table names exactly the shared keys its code reads")
    func sharedKeysComeThroughKeys() throws {
        let sources = Array(EmbeddedLua.includes.values) + Array(EmbeddedLua.scripts.values)
        let sharedSegments = ["queues", "delayed", "leases", "scheduler_wake", "gate_deadlines", "schedules_settle", "workers"]
        for source in sources {
            for segment in sharedSegments {
                #expect(!source.contains("KEY.\(segment)"), "a shared key built from the namespace: KEY.\(segment)")
            }
            let unknown = LuaAssembly.sharedKeyNames(in: source).subtracting(KeySpace.SharedKey.allCases.map(\.rawValue))
            #expect(unknown.isEmpty, "K.\(unknown.sorted()) is not a shared key")
        }
        for script in StoreScripts.all {
            let body = script.source.components(separatedBy: "\nlocal K = {").dropFirst().joined()
            #expect(Set(script.sharedKeys.map(\.rawValue)) == LuaAssembly.sharedKeyNames(in: body), "\(script.name)")
            if script.sharedKeys.isEmpty { #expect(!script.source.contains("local K = {"), "\(script.name)") }
        }
        let keys = KeySpace(prefix: "t")
        let fetch = StoreScripts.fetchJob
        #expect(fetch.sharedKeys == [.leases])
        #expect(fetch.keys([.string(keys.namespace)], in: keys) == [.string(keys.namespace), .string(keys.leases)])
        #expect(fetch.source.contains("local K = {leases = KEYS[#KEYS]}"))
    }
}
