import { current, enter, invoke } from "./context.ts";
import { installBun } from "./bun.ts";

const home = Deno.args[0];
if (Deno.args[1] === "bun") installBun();
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
    enter(context);
    const result = await invoke(script, context);
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
