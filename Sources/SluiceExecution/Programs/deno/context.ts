/** The current run's context, set by the runner before the script is imported. */
export interface Channel {
  path: string;
  token: string;
}

export const current: {
  channel: Channel | null;
  jobID: string | null;
  statePath: string | null;
  env: Record<string, string>;
} = { channel: null, jobID: null, statePath: null, env: {} };

/** Sets the context of the run `context` (a run's `context.json`) describes. */
// deno-lint-ignore no-explicit-any
export function enter(context: any) {
  current.channel = context.channel ?? null;
  current.jobID = context.jobID ?? null;
  current.statePath = context.statePath ?? null;
  current.env = context.env ?? {};
}

// Runs a triggered script's `preprocessor(event)` before `main` (its object gives main's
// arguments), or — a flow's preprocessor step — only the preprocessor (else main(event)).
export async function invoke(script: Record<string, unknown>, context: { args?: Record<string, unknown>; parameters: string[] }) {
  const args = context.args ?? {};
  const call = (name: string) => script[name] as (...values: unknown[]) => unknown;
  if ("__sluice_preprocess_only__" in args) {
    const name = typeof script.preprocessor === "function" ? "preprocessor" : "main";
    if (typeof script[name] !== "function") throw new TypeError("the script exports no preprocessor (or main) function");
    return await call(name)(args["__sluice_preprocess_only__"]);
  }
  let input = args;
  if ("__sluice_preprocess__" in args) {
    if (typeof script.preprocessor !== "function") throw new TypeError("the script exports no preprocessor function");
    const shaped = await call("preprocessor")(args["__sluice_preprocess__"]);
    if (shaped === null || typeof shaped !== "object" || Array.isArray(shaped)) {
      throw new TypeError("the preprocessor must return an object: main's arguments by name");
    }
    input = shaped as Record<string, unknown>;
  }
  if (typeof script.main !== "function") throw new TypeError("the script exports no main function");
  return await call("main")(...context.parameters.map((name) => input[name] ?? undefined));
}
