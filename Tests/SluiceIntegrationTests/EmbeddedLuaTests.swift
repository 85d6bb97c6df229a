import Foundation
import SluiceRedis
import Testing

@testable import SluiceStore

/// The Lua the executables carry is compiled in from the .lua files (SwiftPM's `embedInCode`); each
/// file is named once in StoreScripts, so a file added to Lua/ without being named there fails here.
@Suite("Embedded Lua")
struct EmbeddedLuaTests {
    @Test("every file in Sources/SluiceStore/Lua is one of StoreScripts' includes or scripts, and each is the file's text")
    func everyFileIsNamed() throws {
        let lua = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Sources/SluiceStore/Lua")
        func files(_ folder: String) throws -> [String: String] {
            let directory = lua.appendingPathComponent(folder)
            let names = try FileManager.default.contentsOfDirectory(atPath: directory.path).filter { $0.hasSuffix(".lua") }
            return try Dictionary(
                uniqueKeysWithValues: names.map {
                    (String($0.dropLast(4)), try String(contentsOf: directory.appendingPathComponent($0), encoding: .utf8))
                })
        }
        let includes = try files("include")
        #expect(Set(includes.keys) == Set(StoreScripts.includeFiles.map(\.name)))
        for (name, source) in StoreScripts.includeFiles {
            #expect(includes[name] == String(decoding: source, as: UTF8.self), "include \(name)")
        }
        let scripts = try files("scripts")
        #expect(Set(scripts.keys) == Set(StoreScripts.all.map(\.name)))
        #expect(StoreScripts.all.count == scripts.count, "a script listed twice in StoreScripts.all")
        for script in StoreScripts.all {
            let body = scripts[script.name] ?? "<no file>"
            #expect(script.source.contains(body.trimmingCharacters(in: .whitespacesAndNewlines)), "script \(script.name)")
        }
    }
}

/// Every key a script touches that is not derived from data reaches it through `KEYS`.
@Suite("Shared keys through KEYS")
struct SharedKeysTests {
    @Test("no Lua builds a shared key from the namespace; each script's K table names exactly the shared keys its code reads")
    func sharedKeysComeThroughKeys() throws {
        let sources = StoreScripts.includeFiles.map { String(decoding: $0.source, as: UTF8.self) } + StoreScripts.all.map(\.source)
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
