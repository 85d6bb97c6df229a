/// The TypeScript a Deno job runs besides its script, written once per worker process into
/// `<worker scratch>/deno/` and shown read-only to jobs:
///
/// - `main.ts`, the runner: reads the run's `context.json` (arguments, `main`'s parameter names,
///   the job's channel), imports the script, calls `main` with the arguments by parameter
///   name, and writes the JSON of the returned value to `result.json`; an exception is written to
///   `error.json` with its name, message and stack (and printed to stderr).
/// - `windmill-client.ts`: Sluice's implementation of the part of Windmill's TypeScript client
///   Sluice supports (`getVariable`, `getResource`, `getState`, `setState`, `getResumeUrls`,
///   through the job's channel), which the import map `import-map.json` substitutes for
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
        export interface Channel {
          path: string;
          token: string;
        }

        export const current: { channel: Channel | null; jobID: string | null } = { channel: null, jobID: null };

        """#

    static let runner = #"""
        import { current } from "./context.ts";

        const directory = Deno.args[0];
        const context = JSON.parse(await Deno.readTextFile(`${directory}/context.json`));
        current.channel = context.channel ?? null;
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
            current.channel = context.channel ?? null;
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
            current.channel = null;
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
         * The part of Windmill's TypeScript client (`windmill-client`) that Sluice provides:
         * `getVariable`, `getResource`, `getState`, `setState`, `getResumeUrls`, `getJobId`. Each
         * asks the worker through this job's own channel (a Unix socket in its scratch directory,
         * with the job's token); the rest of Windmill's client throws, naming what is not supported.
         */
        import { current } from "./context.ts";

        export interface ResumeUrls {
          approvalPage: string;
          resume: string;
          cancel: string;
        }

        const encoder = new TextEncoder();
        const decoder = new TextDecoder();

        async function call(op: string, fields: Record<string, unknown> = {}): Promise<unknown> {
          const channel = current.channel;
          if (!channel) throw new Error("this job has no Sluice channel (it is not run by a Sluice worker)");
          let path = channel.path;
          if (encoder.encode(path).length >= 108) {
            // Longer than a socket address holds: relative to the working directory.
            const cwd = Deno.cwd();
            if (path.startsWith(cwd + "/")) path = path.slice(cwd.length + 1);
          }
          const connection = await Deno.connect({ transport: "unix", path });
          let text = "";
          try {
            const request = encoder.encode(JSON.stringify({ ...fields, op, token: channel.token }) + "\n");
            let written = 0;
            while (written < request.length) written += await connection.write(request.subarray(written));
            const buffer = new Uint8Array(65536);
            while (!text.endsWith("\n")) {
              const count = await connection.read(buffer);
              if (count === null) throw new Error("the worker closed this job's channel");
              text += decoder.decode(buffer.subarray(0, count), { stream: true });
            }
          } finally {
            connection.close();
          }
          const reply = JSON.parse(text);
          if (reply.ok) return reply.value;
          const error = new Error(reply.error);
          error.name = reply.kind === "permission" ? "PermissionError" : "SluiceError";
          throw error;
        }

        /** The value of the variable (or secret) at `path`. */
        export async function getVariable(path: string): Promise<string> {
          return (await call("get_variable", { path })) as string;
        }

        /** The resource at `path`, its `$var:` fields resolved. */
        // deno-lint-ignore no-explicit-any
        export async function getResource(path: string): Promise<any> {
          return await call("get_resource", { path });
        }

        /** This script's state (a flow step's own), as the last setState left it; null when there is none. */
        // deno-lint-ignore no-explicit-any
        export async function getState(): Promise<any> {
          return await call("get_state");
        }

        /** Keeps `state` (JSON) as this script's state for its next runs. */
        export async function setState(state: unknown): Promise<void> {
          await call("set_state", { value: state === undefined ? null : state });
        }

        /**
         * Links to approve (resume), reject (cancel) or open the approval page of this step's gate.
         * With `approver`, the links are bound to that name: it is signed into them, and the
         * approval counts once for that person. Without, each call makes a new anonymous link.
         */
        export async function getResumeUrls(approver?: string): Promise<ResumeUrls> {
          return (await call("get_resume_urls", { approver: approver ?? null })) as ResumeUrls;
        }

        export const get_resume_urls = getResumeUrls;

        /** The id of the running job (Windmill's WM_JOB_ID). */
        export function getJobId(): string | null {
          return current.jobID;
        }

        function unsupported(name: string): never {
          throw new Error(
            `windmill-client.${name} is not supported by Sluice (supported: getVariable, getResource, getState, setState, getResumeUrls, getJobId)`,
          );
        }

        export const setVariable = (..._args: unknown[]): never => unsupported("setVariable");
        export const setResource = (..._args: unknown[]): never => unsupported("setResource");
        export const runScript = (..._args: unknown[]): never => unsupported("runScript");
        export const runScriptAsync = (..._args: unknown[]): never => unsupported("runScriptAsync");
        export const runFlow = (..._args: unknown[]): never => unsupported("runFlow");
        export const runFlowAsync = (..._args: unknown[]): never => unsupported("runFlowAsync");
        export const setClient = (..._args: unknown[]): void => {};

        export default { getResumeUrls, get_resume_urls, getJobId, getVariable, setVariable, getResource, setResource, getState, setState };

        """#
}
