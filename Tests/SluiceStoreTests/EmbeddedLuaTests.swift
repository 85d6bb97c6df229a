import Foundation
import SluiceCore
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

/// A job's or a gate's state is named in Lua through the constants the prelude emits from the
/// Swift enums (`JOB_STATE.running`, `GATE_STATE.open`), never as a quoted name of its own.
@Suite("States named once")
struct LuaStateNameTests {
    @Test("no .lua file quotes a job state or a gate state; the prelude defines every one of them from JobState and GateState")
    func noQuotedStates() throws {
        let states = Set(JobState.allCases.map(\.rawValue) + GateState.allCases.map(\.rawValue))
        // The prelude's own tables spell the states (and CONTAINER.closed, a field named like a gate
        // state): only the Lua a script is made of, without its prelude, is read.
        for (name, source) in LuaSources.all {
            for state in states {
                #expect(!source.contains("'\(state)'") && !source.contains("\"\(state)\""), "\(name) quotes the state '\(state)'")
            }
        }
        for state in JobState.allCases { #expect(LuaPrelude.source.contains("\(state.rawValue) = '\(state.rawValue)'")) }
        for status in FrameRecord.Status.allCases { #expect(LuaPrelude.source.contains("\(status.rawValue) = '\(status.rawValue)'")) }
        for field in FrameRecord.Field.allCases { #expect(LuaPrelude.source.contains("\(field) = '\(field.rawValue)'")) }
        for field in ContainerRecord.Field.allCases { #expect(LuaPrelude.source.contains("\(field) = '\(field.rawValue)'")) }
        #expect(LuaPrelude.source.contains("local GATE_STATE = strict('gate state', {pending = 'pending', open = 'open'"))
    }
}

/// The Lua a test reads: each include file, and each script's code (its helpers and body) without
/// the generated prelude.
enum LuaSources {
    static var all: [(name: String, text: String)] {
        StoreScripts.includeFiles.map { ("include \($0.name)", String(decoding: $0.source, as: UTF8.self)) }
            + StoreScripts.all.map { ($0.name, $0.code) }
    }
}

/// Flow frame and container records are read and written through `FRAME.<field>` and
/// `CONTAINER.<field>`, never by their stored names.
@Suite("Flow records by name in Lua")
struct FlowRecordNameTests {
    @Test(
        "no Lua code reads or writes a frame record's field by its letter (record.s, r.j…) or a container record's by its stored name (c.n, c.launched…): each goes through FRAME or CONTAINER"
    )
    func noStoredNames() throws {
        let letters = FrameRecord.Field.allCases.map(\.rawValue).joined()
        let frameField = try Regex("[A-Za-z_][A-Za-z0-9_]*\\.[\(letters)](?![A-Za-z0-9_])")
        let containerField = try Regex(
            "(?:^|[^A-Za-z0-9_.])c\\.(" + ContainerRecord.Field.allCases.map(\.rawValue).joined(separator: "|") + ")(?![A-Za-z0-9_])")
        var sources = StoreScripts.includeFiles.map { ($0.name, String(decoding: $0.source, as: UTF8.self)) }
        sources += StoreScripts.all.map { ($0.name, $0.source) }
        for (name, source) in sources {
            for line in source.split(separator: "\n") where !line.trimmingCharacters(in: .whitespaces).hasPrefix("--") {
                let code = line.components(separatedBy: "--").first ?? ""
                #expect(code.firstMatch(of: frameField) == nil, "\(name): \(line)")
                #expect(code.firstMatch(of: containerField) == nil, "\(name): \(line)")
            }
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
