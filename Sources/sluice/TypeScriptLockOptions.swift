import ArgumentParser
import Foundation
import SluiceCommandLine
import SluiceCore
import SluiceScripts
import SluiceStore

/// How `sluice script push`, `sluice flow push` and `sluice sync push` lock TypeScript scripts'
/// packages and remote modules: `deno cache` with a fresh cache, from the registries given
/// (``PackageRegistryOptions``), keeping the versions a Windmill lock pinned.
struct TypeScriptLockOptions: ParsableArguments {
    @Option(name: .long, help: "The deno that locks TypeScript imports (default: .venv-tools/bin/deno that make deps installed, else deno on PATH).")
    var deno: String?

    @OptionGroup var registries: PackageRegistryOptions

    /// The lock of a TypeScript script: the one already stored with this content, else a new one
    /// resolved with Deno (keeping what `windmillLock` pinned); `nil` when the script fetches
    /// nothing. Throws with Deno's message when an import cannot be resolved.
    func lock(_ content: String, windmillLock: String?, session: Session) throws -> ScriptLockResult {
        let specifiers = TypeScriptImports.specifiers(in: content)
        guard TypeScriptImportMap.needsLock(specifiers) else { return ScriptLockResult() }
        if let stored = try session.perform({ try session.scripts.lock(hash: ContentHash.of(content), on: session.connection) }),
            let parsed = try? TypeScriptLock(parsing: stored)
        {
            return ScriptLockResult(lock: stored, note: "imports: \(Self.listed(parsed)); lock already stored")
        }
        var pins = TypeScriptPins()
        var notes: [String] = []
        if let windmillLock {
            do {
                pins = try WindmillTypeScriptLock.pins(from: windmillLock)
                if !pins.isEmpty { notes.append("kept from Windmill's lock: " + pins.summary.joined(separator: " ")) }
            } catch {
                notes.append("Windmill's lock is not read (\(error.description)); locked afresh")
            }
        }
        guard let denoPath = ToolLocator.deno(explicit: deno) else {
            throw CommandFailure(
                "the script imports packages but deno is not installed (make deps installs it into .venv-tools; or pass --deno PATH)")
        }
        let locker = TypeScriptLocker(deno: denoPath, npmRegistry: registries.npm, jsrRegistry: registries.jsr)
        let lock: TypeScriptLock?
        do {
            let pinned = pins
            lock = try waitFor { try await locker.lock(content, pins: pinned) }
        } catch let error as TypeScriptLockError {
            // A registry this machine cannot reach is not a script's fault: it is stored unlocked,
            // and workers (which reach their registry) fetch its imports when it runs.
            if let unreachable = Self.unreachable(error.description) {
                return ScriptLockResult(
                    lock: nil,
                    note: "not locked: \(unreachable) cannot be reached from here; workers fetch its imports when it runs "
                        + "(push again where the registry answers to lock it)")
            }
            throw CommandFailure("cannot lock the script's imports:\n\(error.description)")
        }
        guard let lock else { return ScriptLockResult() }
        return ScriptLockResult(lock: lock.text, note: (["imports: \(Self.listed(lock)); locked"] + notes).joined(separator: "; "))
    }

    /// The address Deno could not reach (a DNS failure, a refused connection), if that is why locking failed.
    static func unreachable(_ message: String) -> String? {
        guard let range = message.range(of: "error sending request for url (") else { return nil }
        let rest = message[range.upperBound...]
        return rest.prefix { $0 != ")" }.split(separator: "/").prefix(3).joined(separator: "/")
    }

    static func listed(_ lock: TypeScriptLock) -> String {
        let items = lock.summary
        return items.isEmpty ? "nothing fetched" : items.joined(separator: ", ")
    }
}

/// A script's lock as a push resolved it, and what to print about it.
struct ScriptLockResult {
    var lock: String?
    var note: String?
}
