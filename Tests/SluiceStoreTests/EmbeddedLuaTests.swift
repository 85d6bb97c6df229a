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
            #expect(script.code.contains(body.trimmingCharacters(in: .whitespacesAndNewlines)), "script \(script.name)")
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
        for state in JobState.allCases { #expect(LuaTables.value("JOB_STATE", state.rawValue) == state.rawValue) }
        for state in GateState.allCases { #expect(LuaTables.value("GATE_STATE", state.rawValue) == state.rawValue) }
        for status in FrameRecord.Status.allCases { #expect(LuaTables.value("FRAME_STATUS", status.rawValue) == status.rawValue) }
        for field in FrameRecord.Field.allCases { #expect(LuaTables.value("FRAME", "\(field)") == field.rawValue) }
        for field in ContainerRecord.Field.allCases { #expect(LuaTables.value("CONTAINER", "\(field)") == field.rawValue) }
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

/// Lua source taken apart: its code with comments and string literals blanked out, its comments,
/// and its string literals (the text between the quotes). The store's Lua has no long strings.
struct LuaText {
    var code = ""
    var comments: [String] = []
    var literals: [String] = []

    init(_ source: String) {
        for segment in LuaSegment.segments(of: source) {
            switch segment {
            case .code(let text): code += text
            case .string(let text):
                code += " "
                var literal = text.dropFirst()
                if let quote = text.first, literal.last == quote { literal = literal.dropLast() }
                literals.append(String(literal))
            case .comment(let text):
                code += " "
                comments.append(text)
            }
        }
    }

    /// The words the comments quote, `'state'` or `"state"`.
    var quotedInComments: [String] {
        comments.flatMap { comment in
            comment.matches(of: #/(['"])([A-Za-z_]+)\1/#).map { String($0.output.2) }
        }
    }
}

/// A Redis hash's field is named in Lua through the table the prelude emits from its Swift
/// definition (`JOB.created_at`, `GATE.deadline`, `SCHEDULE.next_due`…), as are the values the
/// scripts compare or store (`JOB_KIND.step`, `FLOW_OP.park`, `TICK_OUTCOME.skipped`…).
@Suite("Hash fields named once")
struct LuaFieldNameTests {
    /// Every name the field and value tables emit, by the prelude table and the Swift definition it comes from.
    static let emitted: [(table: String, names: [String])] = [
        ("JOB", JobRecord.Field.allCases.map(\.rawValue)), ("GATE", GateRecord.Field.allCases.map(\.rawValue)),
        ("SCHEDULE", ScheduleRecord.Field.allCases.map(\.rawValue)), ("VARIABLE", StoredVariable.Field.allCases.map(\.rawValue)),
        ("RESOURCE", StoredResource.Field.allCases.map(\.rawValue)), ("SECRETS_KEY", SecretsKeyField.allCases.map(\.rawValue)),
        ("TOKEN", TriggerToken.Field.allCases.map(\.rawValue)), ("SCRIPT", StoredScript.Field.allCases.map(\.rawValue)),
        ("WORKER", WorkerStatus.Field.allCases.map(\.rawValue)), ("RATE_BUCKET", RateLimit.BucketField.allCases.map(\.rawValue)),
        ("JOB_KIND", JobKind.allCases.map(\.rawValue)), ("FLOW_OP", FlowOperation.Name.allCases.map(\.rawValue)),
        ("JOIN_DISPOSITION", FlowOperation.JoinDisposition.allCases.map(\.rawValue)),
        ("TICK_OUTCOME", TickOutcome.Kind.allCases.map(\.rawValue)), ("SCHEDULE_RUN_KIND", ScheduleRun.Kind.allCases.map(\.rawValue)),
    ]

    /// The emitted names Lua may still quote, each where and why. Reply codes are not stored names
    /// and stay quoted (`'ok'`, `'refused'`, `'paused'`, `'duplicate'`…) — these two are spelled
    /// like an emitted value. Quoted and not emitted, on purpose: the plan's `'wait'` (a held step
    /// that keeps running), the frame ids `'r'` and `'f'`, the module type `'rawscript'`, the flow
    /// event names (`'subflow_done'`…), a settled run's `'expired'` outcome, record_approval's
    /// actions (`'reject'`, `'expire'`, `'operator'`) — values of the plans Swift sends or of JSON
    /// Swift reads, none of them a hash field.
    static let allowed: [(source: String, literal: String, reason: String)] = [
        ("set_schedule_enabled", "stale", "its own reply code (ScheduleStore reads it), not fire_schedule_tick's TICK_OUTCOME.stale"),
        ("rotate_secrets", "stale", "its own reply code (VariableStore reads it), not fire_schedule_tick's TICK_OUTCOME.stale"),
    ]

    @Test(
        "no Lua quotes a hash field's stored name, a job kind, a flow operation, a join disposition, or a schedule tick's outcome or kind (in code or in a comment), but for the allowlist"
    )
    func noQuotedFieldNames() throws {
        let names = Set(Self.emitted.flatMap(\.names))
        var used = Set<String>()
        for (source, text) in LuaSources.all {
            let lua = LuaText(text)
            for literal in lua.literals + lua.quotedInComments where names.contains(literal) {
                if Self.allowed.contains(where: { $0.source == source && $0.literal == literal }) {
                    used.insert(source + " " + literal)
                } else {
                    let tables = Self.emitted.filter { $0.names.contains(literal) }.map { "\($0.table).\(literal)" }
                    Issue.record("\(source) quotes '\(literal)': name it as \(tables.joined(separator: " or "))")
                }
            }
        }
        for entry in Self.allowed {
            #expect(
                used.contains(entry.source + " " + entry.literal), "\(entry.source) no longer quotes '\(entry.literal)': drop it from the allowlist")
        }
        // The scan finds a quoted name in code and in a comment, and not a JSON key inside a longer literal.
        let sample = LuaText("local a = hash_fields(key, 'queue') -- reads 'state'\nlocal b = '{\"gate\":' .. \"x\"")
        #expect(sample.literals == ["queue", "{\"gate\":", "x"] && sample.quotedInComments == ["state"])
    }

    @Test("every TABLE.name the Lua reads is a name its table defines, and no Lua uses a table of names other than as TABLE.name")
    func everyNameIsDefined() throws {
        for table in LuaPrelude.tables {
            let defined = Set(table.entries.map(\.name))
            let bare = try Regex("(?:^|[^A-Za-z0-9_.])\(table.name)(?![A-Za-z0-9_])")
            let byName = try Regex("(?:^|[^A-Za-z0-9_.])\(table.name)\\.[A-Za-z_]")
            var read = Set<String>()
            for (source, text) in LuaSources.all {
                let names = LuaAssembly.names(readFrom: table.name, in: text)
                read.formUnion(names)
                let unknown = names.subtracting(defined).sorted().map { "\(table.name).\($0)" }
                #expect(unknown.isEmpty, "\(source) reads \(unknown), which the prelude does not define")
                // A script carries only the entries its code names, so a table is read only by name.
                let code = LuaText(text).code
                #expect(
                    code.matches(of: bare).count == code.matches(of: byName).count, "\(source) uses \(table.name) other than as \(table.name).<name>")
            }
            #expect(!read.isEmpty, "no Lua reads \(table.name): drop it from the prelude")
        }
        // A misspelt name is caught by the scan, not only when a script runs into it.
        #expect(LuaAssembly.names(readFrom: "JOB", in: "redis.call('HGET', key, JOB.craeted_at) -- JOB_STATE.running") == ["craeted_at"])
    }

    @Test("the prelude's tables hold every field of every hash the Lua touches, and the values it compares, from their Swift definitions")
    func preludeHasEverySwiftField() throws {
        for (table, names) in Self.emitted {
            #expect(LuaPrelude.tables.contains { $0.name == table }, "the prelude has no \(table)")
            for name in names { #expect(LuaTables.value(table, name) == name, "\(table) lacks \(name)") }
        }
        let constants = Dictionary(uniqueKeysWithValues: LuaPrelude.constants.map { ($0.name, $0.value) })
        #expect(constants["FLOW_OPERATIONS"]?.hasPrefix("{['create'] = true, ['set_input'] = true") == true)
        #expect(constants["DEFAULT_QUEUE"] == "'\(JobDefaults.queue)'")
    }

    @Test(
        "a script reaches Redis with its names inlined — each TABLE.name its quoted value, no table of names built on a call — and only the constants it names"
    )
    func scriptsCarryTheirNamesInlined() throws {
        for script in StoreScripts.all {
            for table in LuaPrelude.tables {
                let code = LuaText(script.source).code
                #expect(LuaAssembly.names(readFrom: table.name, in: code).isEmpty, "\(script.name) still reads \(table.name) in Redis")
            }
            #expect(!script.source.contains("strict(") && !script.source.contains("error('unknown "), "\(script.name)")
        }
        let fetch = StoreScripts.fetchJob
        #expect(fetch.code.contains("JOB.started_at") && fetch.source.contains("'started_at'"))
        #expect(!fetch.source.contains("local FINAL_STATES") && !fetch.source.contains("local GATE_ACCEPTING"))
        #expect(StoreScripts.cancelJob.source.contains("local FINAL_STATES = {"))
        // Only code is rewritten: a name in a comment or inside a string stays as written.
        let inlined = LuaNameInlining("a = JOB.state -- JOB.queue\nb = 'JOB.queue' .. x.JOB.state .. JOB.craeted_at", tables: LuaPrelude.tables)
        #expect(inlined.code == "a = 'state' -- JOB.queue\nb = 'JOB.queue' .. x.JOB.state .. JOB.craeted_at")
        #expect(inlined.unknown == [LuaNameInlining.UnknownName(table: "JOB", what: "job field", name: "craeted_at")])
        #expect(LuaPrelude.program("return JOB.craeted_at").contains("error('unknown job field craeted_at')"))
        #expect(
            LuaAssembly.withoutComments("a = JOB.state -- JOB.queue\nb = '--' .. \"it's\" -- x\nc = 1")
                == "a = JOB.state \nb = '--' .. \"it's\" \nc = 1")
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
        sources += StoreScripts.all.map { ($0.name, $0.code) }
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
        let sources = StoreScripts.includeFiles.map { String(decoding: $0.source, as: UTF8.self) } + StoreScripts.all.map(\.code)
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

/// The prelude's tables by name, for the tests.
enum LuaTables {
    /// The value `table`'s entry `name` stands for, if it has one.
    static func value(_ table: String, _ name: String) -> String? {
        LuaPrelude.tables.first { $0.name == table }?.entries.first { $0.name == name }?.value
    }
}
