import SluiceCore
import SluiceScripts
import Testing

@Suite("TypeScript imports: specifiers, kinds, import maps, Windmill's locks")
struct TypeScriptImportsTests {
    @Test("static, side-effect, type, re-export and dynamic imports are read; comments, strings and other calls are not")
    func specifiers() {
        let script = """
            import * as wmill from "npm:windmill-client@^1.158.2";
            import pad, { x as y } from 'leftpad';
            import type { Resource } from "https://deno.land/x/windmill@v1.27.2/mod.ts";
            import "./side-effect.ts";
            export { a } from "jsr:@std/path@^1";
            export * from "node:fs";
            // import * as old from "https://deno.land/x/windmill@v1.36.0/mod.ts"
            /* import z from "commented" */
            const text = "import q from 'in-a-string'";
            const re = /from "regex"/;
            export async function main() {
              const lazy = await import("fs/promises");
              const built = await import(`./${name}.ts`);
              obj.import("not-an-import");
              return [lazy, built, re, text];
            }
            """
        #expect(
            TypeScriptImports.specifiers(in: script) == [
                "npm:windmill-client@^1.158.2", "leftpad", "https://deno.land/x/windmill@v1.27.2/mod.ts", "./side-effect.ts", "jsr:@std/path@^1",
                "node:fs", "fs/promises",
            ])
    }

    @Test(
        "every spelling of Windmill's client is the client",
        arguments: [
            "windmill-client", "windmill-client@1", "windmill-client@1.323.2", "npm:windmill-client", "npm:windmill-client@^1.158.2",
            "npm:windmill-client@1.323.2", "npm:windmill-client@>=1.0.0", "npm:/windmill-client@1/dist/index.js",
            "https://deno.land/x/windmill@v1.27.2/mod.ts", "https://deno.land/x/windmill/mod.ts", "sluice",
        ])
    func clientSpellings(_ specifier: String) {
        #expect(TypeScriptSpecifier(specifier) == .windmillClient)
    }

    @Test("kinds: npm, Bun's bare names, Node built-ins, jsr, remote, Bun modules, files")
    func kinds() {
        #expect(TypeScriptSpecifier("npm:@scope/pkg@^2/sub") == .npm(.init(name: "@scope/pkg", version: "^2", subpath: "sub")))
        #expect(TypeScriptSpecifier("postgres@3.4.4") == .bare(.init(name: "postgres", version: "3.4.4")))
        #expect(TypeScriptSpecifier("lodash/fp") == .bare(.init(name: "lodash", subpath: "fp")))
        #expect(TypeScriptSpecifier("fs/promises") == .nodeBuiltin("fs/promises"))
        #expect(TypeScriptSpecifier("node:fs") == .native)
        #expect(TypeScriptSpecifier("jsr:@std/path") == .jsr)
        #expect(TypeScriptSpecifier("https://deno.land/x/sleep/mod.ts") == .remote)
        #expect(TypeScriptSpecifier("bun:sqlite") == .bun)
        #expect(TypeScriptSpecifier("/f/ION/_lib/session") == .path)
        #expect(TypeScriptSpecifier("./lib.ts") == .path)
        #expect(TypeScriptImportMap.needsLock(["windmill-client", "fs", "./x.ts", "bun:test"]) == false)
        #expect(TypeScriptImportMap.needsLock(["windmill-client", "lodash"]) == true)
    }

    @Test("the import map: client spellings to Sluice's client, bare names to npm, built-ins to node:, pins applied, the rest failing by name")
    func importMap() {
        let specifiers = [
            "npm:windmill-client@^1.158.2", "lodash", "npm:zod@^3", "fs", "bun:sqlite", "https://deno.land/x/sleep/mod.ts", "npm:left@1",
        ]
        let client = TypeScriptImportMap.clientEntries(for: specifiers, clientURL: "file:///runtime/windmill-client.ts")
        #expect(client["npm:windmill-client@^1.158.2"] == "file:///runtime/windmill-client.ts")
        #expect(client["windmill-client"] == "file:///runtime/windmill-client.ts")
        #expect(client["lodash"] == nil)
        let pins = TypeScriptPins(
            npm: ["zod": "3.22.4"], redirects: ["https://deno.land/x/sleep/mod.ts": "https://deno.land/x/sleep@v1.3.0/mod.ts"])
        let entries = TypeScriptImportMap.resolutions(for: specifiers, pins: pins)
        #expect(entries["lodash"] == "npm:lodash")
        #expect(entries["npm:zod@^3"] == "npm:zod@3.22.4")
        #expect(entries["npm:left@1"] == nil)
        #expect(entries["fs"] == "node:fs")
        #expect(entries["https://deno.land/x/sleep/mod.ts"] == "https://deno.land/x/sleep@v1.3.0/mod.ts")
        #expect(entries["bun:sqlite"]?.hasPrefix("data:text/javascript,throw%20new%20Error") == true)
        #expect(TypeScriptImportMap.unsupportedMessage("bun:sqlite")?.hasPrefix("bun:sqlite is not supported by Sluice") == true)
    }

    @Test("Windmill's Bun lock: the versions bun.lock resolved for package.json's dependencies; the client is not pinned")
    func bunLock() throws {
        let lock = """
            {
              "dependencies": {
                "playwright": "1.40.0",
                "node-html-parser": "latest",
                "windmill-client": "latest"
              }
            }
            //bun.lock
            {
              "lockfileVersion": 1,
              "workspaces": { "": { "dependencies": { "node-html-parser": "latest", "playwright": "1.40.0", }, }, },
              "packages": {
                "node-html-parser": ["node-html-parser@7.0.2", "", { "dependencies": { "he": "1.2.0" } }, "sha512-x"],
                "playwright": ["playwright@1.40.0", "", {}, "sha512-y"],
                "windmill-client": ["windmill-client@1.500.0", "", {}, "sha512-z"],
              }
            }
            """
        #expect(try WindmillTypeScriptLock.pins(from: lock) == TypeScriptPins(npm: ["node-html-parser": "7.0.2", "playwright": "1.40.0"]))
        let binary = "{\"dependencies\": {\"postgres\": \"3.4.4\", \"zod\": \"^3\"}}\r\n//bun.lockb\r\n<empty>"
        #expect(try WindmillTypeScriptLock.pins(from: binary) == TypeScriptPins(npm: ["postgres": "3.4.4"]))
        #expect(try WindmillTypeScriptLock.pins(from: "") == TypeScriptPins())
        #expect(throws: TypeScriptLockError.self) { try WindmillTypeScriptLock.pins(from: "six==1.17.0\n") }
    }

    @Test("Windmill's Deno lock, v3 and v5: npm and jsr versions, redirects and remote hashes, without the client's")
    func denoLock() throws {
        let v3 = """
            {
              "version": "3",
              "packages": {
                "specifiers": {"npm:zod@^3": "npm:zod@3.22.4", "npm:windmill-client@1": "npm:windmill-client@1.300.0"},
                "npm": {"zod@3.22.4": {"integrity": "sha512-x", "dependencies": {}}}
              },
              "redirects": {"https://deno.land/x/sleep/mod.ts": "https://deno.land/x/sleep@v1.3.0/mod.ts"},
              "remote": {
                "https://deno.land/x/sleep@v1.3.0/mod.ts": "e995",
                "https://deno.land/x/windmill@v1.27.2/mod.ts": "0ad4"
              }
            }
            """
        #expect(
            try WindmillTypeScriptLock.pins(from: v3)
                == TypeScriptPins(
                    npm: ["zod": "3.22.4"], redirects: ["https://deno.land/x/sleep/mod.ts": "https://deno.land/x/sleep@v1.3.0/mod.ts"],
                    remote: ["https://deno.land/x/sleep@v1.3.0/mod.ts": "e995"]))
        let v5 = """
            {"version": "5", "specifiers": {"jsr:@std/path@^1": "1.0.8", "npm:react-dom@18": "18.2.0_react@18.2.0"}, "jsr": {}, "npm": {}}
            """
        #expect(try WindmillTypeScriptLock.pins(from: v5) == TypeScriptPins(npm: ["react-dom": "18.2.0"], jsr: ["@std/path": "1.0.8"]))
        let first = "{\"https://deno.land/std@0.100.0/fmt/colors.ts\": \"abcd\"}"
        #expect(try WindmillTypeScriptLock.pins(from: first) == TypeScriptPins(remote: ["https://deno.land/std@0.100.0/fmt/colors.ts": "abcd"]))
    }

    @Test("Sluice's lock reads back what it wrote")
    func lockRoundTrip() throws {
        let lock = TypeScriptLock(imports: ["lodash": "npm:lodash"], deno: ["version": "5", "npm": ["lodash@4.17.21": ["integrity": "sha512-x"]]])
        #expect(try TypeScriptLock(parsing: lock.text) == lock)
        #expect(lock.summary == ["npm:lodash@4.17.21"])
        #expect(throws: TypeScriptLockError.self) { try TypeScriptLock(parsing: "# sluice lock: python\nsix==1.17.0\n") }
    }
}
