/// The TypeScript a Deno job runs besides its script, written once per worker process into
/// `<worker scratch>/deno/` and shown read-only to jobs:
///
/// - `main.ts`, the runner: reads the run's `context.json` (arguments, `main`'s parameter names,
///   the gate's link data), imports the script, calls `main` with the arguments by parameter
///   name, and writes the JSON of the returned value to `result.json`; an exception is written to
///   `error.json` with its name, message and stack (and printed to stderr).
/// - `windmill-client.ts`: Sluice's implementation of the part of Windmill's TypeScript client
///   Sluice supports (`getResumeUrls`), which the import map `import-map.json` substitutes for
///   `windmill-client`, `npm:windmill-client@1` and `windmill-client@1` (and `sluice`), so an
///   unmodified Windmill approval script runs without the npm registry.
/// - `context.ts`: the run's context, shared by the runner and the client.
/// - `dedicated.ts`: the dedicated runner — a long-lived process for one script version that
///   imported it once and runs its jobs one at a time: `run TOKEN DIR` lines (tab-separated) on stdin, `exit TOKEN
///   CODE` lines on stdout; each job's console output goes to `DIR/.sluice-output`.
enum DenoRuntime {
    static let runnerFile = "main.ts"
    static let dedicatedFile = "dedicated.ts"
    static let importMapFile = "import-map.json"

    /// The files by name.
    static let files: [String: String] = [
        runnerFile: runner, dedicatedFile: dedicated, "context.ts": context, "windmill-client.ts": client, importMapFile: importMap,
    ]

    /// What the runner imports in a warm-up run, so the worker's Deno cache holds the runtime's
    /// compiled code before jobs (which see the cache read-only) start.
    static let warmUpScript = """
        import * as wmill from "windmill-client";
        export async function main(name = "warm") {
          return { name, client: typeof wmill.getResumeUrls };
        }

        """

    static let importMap = #"""
        {
          "imports": {
            "windmill-client": "./windmill-client.ts",
            "windmill-client@1": "./windmill-client.ts",
            "npm:windmill-client": "./windmill-client.ts",
            "npm:windmill-client@1": "./windmill-client.ts",
            "sluice": "./windmill-client.ts"
          }
        }

        """#

    static let context = #"""
        /** The current run's context, set by the runner before the script is imported. */
        export interface Gate {
          publicURL: string;
          gateID: string;
          mintKey: string;
        }

        export const current: { gate: Gate | null; jobID: string | null } = { gate: null, jobID: null };

        """#

    static let runner = #"""
        import { current } from "./context.ts";

        const directory = Deno.args[0];
        const context = JSON.parse(await Deno.readTextFile(`${directory}/context.json`));
        current.gate = context.gate ?? null;
        current.jobID = context.jobID ?? null;

        function describe(error: unknown) {
          if (error instanceof Error) {
            return { name: error.name, message: error.message, stack: error.stack ?? "" };
          }
          return { name: "Error", message: String(error), stack: "" };
        }

        let code = 0;
        try {
          const script = await import(new URL(`file://${directory}/script.ts`).href);
          if (typeof script.main !== "function") {
            throw new TypeError("the script exports no main function");
          }
          const args = context.args ?? {};
          const values = (context.parameters as string[]).map((name) => args[name] ?? undefined);
          const result = await script.main(...values);
          const text = JSON.stringify(result === undefined ? null : result);
          await Deno.writeTextFile(`${directory}/result.json`, text);
        } catch (error) {
          const described = describe(error);
          console.error(described.stack || `${described.name}: ${described.message}`);
          await Deno.writeTextFile(`${directory}/error.json`, JSON.stringify(described));
          code = 1;
        }
        Deno.exit(code);

        """#

    static let dedicated = #"""
        import { current } from "./context.ts";

        const home = Deno.args[0];
        const script = await import(new URL(`file://${home}/script.ts`).href);
        const encoder = new TextEncoder();
        let output = "";
        const capture = (...values: unknown[]) => {
          output += values.map((value) => (typeof value === "string" ? value : Deno.inspect(value))).join(" ") + "\n";
        };
        for (const name of ["log", "info", "warn", "error", "debug", "trace"] as const) {
          (console as unknown as Record<string, unknown>)[name] = capture;
        }

        async function send(line: string) {
          const bytes = encoder.encode(line + "\n");
          let written = 0;
          while (written < bytes.length) written += await Deno.stdout.write(bytes.subarray(written));
        }

        function describe(error: unknown) {
          if (error instanceof Error) return { name: error.name, message: error.message, stack: error.stack ?? "" };
          return { name: "Error", message: String(error), stack: "" };
        }

        async function runJob(directory: string): Promise<number> {
          output = "";
          try {
            const context = JSON.parse(await Deno.readTextFile(`${directory}/context.json`));
            current.gate = context.gate ?? null;
            current.jobID = context.jobID ?? null;
            if (typeof script.main !== "function") throw new TypeError("the script exports no main function");
            const args = context.args ?? {};
            const result = await script.main(...(context.parameters as string[]).map((name) => args[name] ?? undefined));
            await Deno.writeTextFile(`${directory}/result.json`, JSON.stringify(result === undefined ? null : result));
            return 0;
          } catch (error) {
            const described = describe(error);
            capture(described.stack || `${described.name}: ${described.message}`);
            await Deno.writeTextFile(`${directory}/error.json`, JSON.stringify(described));
            return 1;
          } finally {
            if (output) await Deno.writeTextFile(`${directory}/.sluice-output`, output, { append: true });
            current.gate = null;
          }
        }

        await send("ready 0");
        const decoder = new TextDecoder();
        let pending = "";
        for await (const chunk of Deno.stdin.readable) {
          pending += decoder.decode(chunk, { stream: true });
          let newline: number;
          while ((newline = pending.indexOf("\n")) >= 0) {
            const [kind, token, directory] = pending.slice(0, newline).split("\t");
            pending = pending.slice(newline + 1);
            if (kind === "run") await send(`exit ${token} ${await runJob(directory)}`);
          }
        }
        Deno.exit(0);

        """#

    static let client = #"""
        /**
         * The part of Windmill's TypeScript client (`windmill-client`) that Sluice provides.
         *
         * `getResumeUrls(approver?)` returns the links of the current step's approval gate; the
         * rest of Windmill's client throws, naming what is not supported.
         */
        import { current } from "./context.ts";

        export interface ResumeUrls {
          approvalPage: string;
          resume: string;
          cancel: string;
        }

        function hexToBytes(hex: string): Uint8Array {
          const bytes = new Uint8Array(hex.length / 2);
          for (let i = 0; i < bytes.length; i++) bytes[i] = parseInt(hex.slice(2 * i, 2 * i + 2), 16);
          return bytes;
        }

        function bytesToHex(bytes: Uint8Array): string {
          return Array.from(bytes, (byte) => byte.toString(16).padStart(2, "0")).join("");
        }

        function base64url(text: string): string {
          let binary = "";
          for (const byte of new TextEncoder().encode(text)) binary += String.fromCharCode(byte);
          return btoa(binary).replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, "");
        }

        /**
         * Links to approve (resume), reject (cancel) or open the approval page of this step's gate.
         * With `approver`, the links are bound to that name: it is signed into them, and the
         * approval counts once for that person. Without, each call makes a new anonymous link.
         */
        export async function getResumeUrls(approver?: string): Promise<ResumeUrls> {
          const gate = current.gate;
          if (!gate) throw new Error("this step has no approval gate (suspend), so it has no resume links");
          let subject: string;
          let segment: string;
          if (approver) {
            subject = `user:${approver}`;
            segment = `u.${base64url(String(approver))}`;
          } else {
            const nonce = bytesToHex(crypto.getRandomValues(new Uint8Array(16)));
            subject = `link:${nonce}`;
            segment = `a.${nonce}`;
          }
          const key = await crypto.subtle.importKey("raw", hexToBytes(gate.mintKey), { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
          const token = bytesToHex(new Uint8Array(await crypto.subtle.sign("HMAC", key, new TextEncoder().encode(subject))));
          const page = `${gate.publicURL.replace(/\/+$/, "")}/approvals/${gate.gateID}/${segment}/${token}`;
          return { approvalPage: page, resume: `${page}/resume`, cancel: `${page}/cancel` };
        }

        export const get_resume_urls = getResumeUrls;

        /** The id of the running job (Windmill's WM_JOB_ID). */
        export function getJobId(): string | null {
          return current.jobID;
        }

        function unsupported(name: string): never {
          throw new Error(`windmill-client.${name} is not supported by Sluice (supported: getResumeUrls, getJobId)`);
        }

        export const getVariable = (..._args: unknown[]): never => unsupported("getVariable");
        export const setVariable = (..._args: unknown[]): never => unsupported("setVariable");
        export const getResource = (..._args: unknown[]): never => unsupported("getResource");
        export const setResource = (..._args: unknown[]): never => unsupported("setResource");
        export const getState = (..._args: unknown[]): never => unsupported("getState");
        export const setState = (..._args: unknown[]): never => unsupported("setState");
        export const runScript = (..._args: unknown[]): never => unsupported("runScript");
        export const runScriptAsync = (..._args: unknown[]): never => unsupported("runScriptAsync");
        export const runFlow = (..._args: unknown[]): never => unsupported("runFlow");
        export const runFlowAsync = (..._args: unknown[]): never => unsupported("runFlowAsync");
        export const setClient = (..._args: unknown[]): void => {};

        export default { getResumeUrls, get_resume_urls, getJobId, getVariable, setVariable, getResource, setResource, getState, setState };

        """#
}
