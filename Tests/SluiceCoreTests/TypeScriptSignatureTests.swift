import SluiceCore
import Testing

@Suite("TypeScript main signatures")
struct TypeScriptSignatureTests {
    @Test(
        "parameter names, in order, whatever the types and defaults",
        arguments: [
            ("export async function main(a: string, b = 2) {}", ["a", "b"]),
            ("export function main() { return 1 }", []),
            ("// export function main(x)\nexport async function main(\n  name: string, // who\n  count?: number,\n) {}", ["name", "count"]),
            (
                "export async function main(o: { a: string, b: number[] }, m: Record<string, number> = {}, f: (x: number) => void) {}",
                ["o", "m", "f"]
            ),
            ("export async function main(s = \"a, (b\", t = `x ${1 + (2)}`, u: Array<Map<string, number>> = new Map()) {}", ["s", "t", "u"]),
            ("const x = 'function main(y)';\nexport const main = async (approver?: string) => wmill.getResumeUrls(approver)", ["approver"]),
            ("export const main = (a: number, b: number) => a + b", ["a", "b"]),
            ("/* export function main(z) */ export async function main($x: string, _y: boolean) {}", ["$x", "_y"]),
            // Quotes inside regular expression literals are not strings; a / after a name divides.
            (#"const r = /openFile\(\{a:"[^"]+"/g; const half = total / 2; export async function main(a = "x") {}"#, ["a"]),
            (#"const s = t.replace(/[/"]/g, ""); export const main = async (b: string) => b"#, ["b"]),
        ] as [(String, [String])])
    func names(script: String, expected: [String]) throws {
        #expect(try TypeScriptSignature.parameterNames(in: script) == expected)
    }

    @Test(
        "scripts without a usable main are refused with a reason",
        arguments: [
            ("function main(a) {}", "exports no main"),
            ("export function helper(a) {}", "exports no main"),
            ("export async function main({ a, b }: Args) {}", "destructured"),
            ("export async function main(...rest: string[]) {}", "rest parameters"),
            ("export async function main(a: string", "not closed"),
        ])
    func refused(script: String, reason: String) {
        #expect {
            try TypeScriptSignature.parameterNames(in: script)
        } throws: { error in
            (error as? ScriptSignatureError)?.description.contains(reason) == true
        }
    }

    @Test("Windmill's TypeScript language names all mean Deno; .ts files too")
    func languageNames() {
        for name in ["deno", "bun", "nativets"] { #expect(ScriptLanguage(windmillName: name) == .deno) }
        #expect(ScriptLanguage(windmillName: "go") == nil)
        #expect(ScriptLanguage(fileExtension: "ts") == .deno)
    }
}
