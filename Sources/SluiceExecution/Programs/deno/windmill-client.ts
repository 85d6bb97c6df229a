/**
 * The part of Windmill's TypeScript client that Sluice provides, under every name Windmill
 * scripts import it by: today's `windmill-client` (`getVariable`, `getResource`, `getState`,
 * `setState`, `getResumeUrls`, `getJobId`, the job calls `runScriptByPath`, `runFlow`,
 * `waitJob`… and the writes `setVariable`, `setResource`) and the names the legacy Deno client
 * (`https://deno.land/x/windmill@vX/mod.ts`) exported (`getResumeEndpoints`,
 * `getInternalState`, `setInternalState`, `resolveDefaultResource`, `getStatePath`,
 * `databaseUrlFromResource`, `getWorkspace`, the base64 helpers, the shared folder's state).
 * Each asks the worker through this job's own channel (a Unix socket in its scratch
 * directory, with the job's token); the rest of Windmill's client throws, naming what is not
 * supported.
 */
import { current } from "./context.ts";

export interface ResumeUrls {
  approvalPage: string;
  resume: string;
  cancel: string;
}

// The legacy client's type names, so `import { type Resource }` keeps working.
// deno-lint-ignore no-explicit-any
export type Resource<_S extends string = string> = any;
export type Sql = string;
export type Email = string;
export type Base64 = string;

/** The legacy client's shared folder: a same_worker flow's `./shared`. */
export const SHARED_FOLDER = "./shared";

const encoder = new TextEncoder();
const decoder = new TextDecoder();

async function call(op: string, fields: Record<string, unknown> = {}): Promise<unknown> {
  const channel = current.channel;
  if (!channel) throw new Error("this job has no Sluice channel (it is not run by a Sluice worker)");
  const path = channel.path;
  const length = encoder.encode(path).length;
  if (length >= 108) {
    // Deno reaches a Unix socket only by a path that fits a socket address (it makes relative
    // paths absolute, and its permissions refuse /proc/self/fd): say so rather than fail obscurely.
    throw new Error(
      `this job's channel socket path is ${length} bytes, over the 107 a Unix socket address holds, so TypeScript cannot reach it: ` +
        "run the worker with a shorter --scratch (its log says by how much)",
    );
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
  error.name = reply.kind === "permission" ? "PermissionError" : reply.kind === "timeout" ? "TimeoutError" : "SluiceError";
  throw error;
}

/** The value of the variable (or secret) at `path`. */
export async function getVariable(path: string): Promise<string> {
  return (await call("get_variable", { path })) as string;
}

/**
 * The resource at `path`, its `$var:` fields resolved; without a path, this script's state
 * (as the legacy client did). With `undefinedIfEmpty`, a resource that cannot be read is
 * `undefined` instead of an error (a refusal still throws).
 */
// deno-lint-ignore no-explicit-any
export async function getResource(path?: string, undefinedIfEmpty?: boolean): Promise<any> {
  if (path === undefined || path === null) return await getState();
  try {
    return await call("get_resource", { path });
  } catch (error) {
    if (undefinedIfEmpty && (error as Error).name !== "PermissionError") return undefined;
    throw error;
  }
}

/** A `$res:path` default resolved to the resource; any other value as it is. */
// deno-lint-ignore no-explicit-any
export async function resolveDefaultResource(value: any): Promise<any> {
  if (typeof value === "string" && value.startsWith("$res:")) return await getResource(value.substring(5), true);
  return value;
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

/** The legacy client's names for the state. */
export const getInternalState = getState;
export const setInternalState = setState;

/** Where this script's state is kept (Windmill's state path). */
export function getStatePath(): string {
  if (!current.statePath) throw new Error("this job has no script path, so it has no state");
  return current.statePath;
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
/** The legacy client's name for getResumeUrls. */
export const getResumeEndpoints = getResumeUrls;

/** The id of the running job (Windmill's WM_JOB_ID). */
export function getJobId(): string | null {
  return current.jobID;
}

/** Windmill's workspace: Sluice has none, the name is "sluice". */
export function getWorkspace(): string {
  return "sluice";
}

/** A PostgreSQL URL from the fields of the resource at `path` (as the legacy client built it). */
export async function databaseUrlFromResource(path: string): Promise<string> {
  const r = await getResource(path);
  return `postgresql://${r.user}:${r.password}@${r.host}:${r.port}/${r.dbname}?sslmode=${r.sslmode}`;
}

/** The shared folder's state file (a same_worker flow's `./shared`), as JSON. */
// deno-lint-ignore no-explicit-any
export async function getSharedState(path = "state.json"): Promise<any> {
  return JSON.parse(await Deno.readTextFile(`${SHARED_FOLDER}/${path}`));
}

/** Writes `state` as JSON to the shared folder's state file. */
export async function setSharedState(state: unknown, path = "state.json"): Promise<void> {
  await Deno.writeTextFile(`${SHARED_FOLDER}/${path}`, JSON.stringify(state));
}

export function base64ToUint8Array(data: string): Uint8Array {
  return Uint8Array.from(atob(data), (c) => c.charCodeAt(0));
}

export function uint8ArrayToBase64(bytes: Uint8Array): string {
  let text = "";
  for (const byte of bytes) text += String.fromCharCode(byte);
  return btoa(text);
}

const supported = "getVariable, getResource, getState, setState, getResumeUrls, getJobId, setVariable, setResource, " +
  "runScriptByPath[Async], runScriptByHash[Async], runScript[Async], runFlow[Async], waitJob, getResult, getJobStatus, cancelJob";

function unsupported(name: string): never {
  throw new Error(`windmill-client.${name} is not supported by Sluice (supported: ${supported})`);
}

/** Creates or changes the variable at `path` (in this script's folder); `isSecretIfNotExist` seals a new one. */
export async function setVariable(path: string, value: string, isSecretIfNotExist?: boolean, descriptionIfNotExist?: string): Promise<void> {
  await call("set_variable", { path, value, is_secret: isSecretIfNotExist ?? false, description: descriptionIfNotExist ?? null });
}

/** Creates or changes the resource at `path` (in this script's folder; without a path, the state). */
export async function setResource(value: unknown, path?: string, initializeToTypeIfNotExist?: string): Promise<void> {
  if (path === undefined || path === null) return await setState(value);
  await call("set_resource", { path, value: value === undefined ? null : value, type: initializeToTypeIfNotExist ?? null });
}

async function start(
  kind: string,
  path: string | null,
  hash: string | null,
  args: Record<string, unknown> | null,
  scheduledInSeconds?: number | null,
  queue?: string | null,
): Promise<string> {
  return (await call("run", { kind, path, hash, args: args ?? {}, scheduled_in_secs: scheduledInSeconds ?? null, queue: queue ?? null })) as string;
}

/** Waits for a job this script started: its result, or an error with the job's own. */
// deno-lint-ignore no-explicit-any
export async function waitJob(jobId: string, verbose = false): Promise<any> {
  if (verbose) console.info(`waiting for job ${jobId}`);
  return await call("wait", { id: jobId });
}

/** Starts the script at `path`; its job id. */
export async function runScriptByPathAsync(
  path: string,
  args: Record<string, unknown> | null = null,
  scheduledInSeconds: number | null = null,
): Promise<string> {
  return await start("script", path, null, args, scheduledInSeconds);
}

/** Starts the script version with this content hash; its job id. */
export async function runScriptByHashAsync(
  hash_: string,
  args: Record<string, unknown> | null = null,
  scheduledInSeconds: number | null = null,
): Promise<string> {
  return await start("script", null, hash_, args, scheduledInSeconds);
}

/** Runs the script at `path` and waits for its result (its failure throws). */
// deno-lint-ignore no-explicit-any
export async function runScriptByPath(path: string, args: Record<string, unknown> | null = null, verbose = false): Promise<any> {
  return await waitJob(await runScriptByPathAsync(path, args), verbose);
}

/** Runs the script version with this content hash and waits for its result. */
// deno-lint-ignore no-explicit-any
export async function runScriptByHash(hash_: string, args: Record<string, unknown> | null = null, verbose = false): Promise<any> {
  return await waitJob(await runScriptByHashAsync(hash_, args), verbose);
}

/** Windmill's older name: starts a script by path or hash; its job id. */
export async function runScriptAsync(
  path: string | null,
  hash_: string | null,
  args: Record<string, unknown> | null,
  scheduledInSeconds: number | null = null,
): Promise<string> {
  if (path && hash_) throw new Error("path and hash_ are mutually exclusive");
  return await start("script", path, hash_, args, scheduledInSeconds);
}

/** Windmill's older name: runs a script by path or hash and waits for its result. */
export async function runScript(
  path: string | null = null,
  hash_: string | null = null,
  args: Record<string, unknown> | null = null,
  verbose = false,
  // deno-lint-ignore no-explicit-any
): Promise<any> {
  return await waitJob(await runScriptAsync(path, hash_, args), verbose);
}

/** Starts the flow at `path` with `args` (its flow_input); its job id. */
export async function runFlowAsync(
  path: string | null,
  args: Record<string, unknown> | null,
  scheduledInSeconds: number | null = null,
  _doNotTrackInParent = true,
): Promise<string> {
  if (!path) throw new Error("path must be provided");
  return await start("flow", path, null, args, scheduledInSeconds);
}

/** Runs the flow at `path` and waits for its result. */
// deno-lint-ignore no-explicit-any
export async function runFlow(path: string | null = null, args: Record<string, unknown> | null = null, verbose = false): Promise<any> {
  return await waitJob(await runFlowAsync(path, args), verbose);
}

export const runFlowByPath = runFlow;
export const runFlowByPathAsync = runFlowAsync;

/** The result of a job this script started, once it succeeded (an error if it failed or has not finished). */
// deno-lint-ignore no-explicit-any
export async function getResult(jobId: string): Promise<any> {
  return await call("get_result", { id: jobId });
}

/** WAITING, RUNNING or COMPLETED, for a job this script started. */
export async function getJobStatus(jobId: string): Promise<string> {
  return (await call("job_status", { id: jobId })) as string;
}

/** Windmill's shape: {started, completed, success, result} (a failure's result is {error: {name, message}}). */
// deno-lint-ignore no-explicit-any
export async function getResultMaybe(jobId: string): Promise<any> {
  const status = await getJobStatus(jobId);
  if (status !== "COMPLETED") return { started: status === "RUNNING", completed: false, success: false, result: null };
  try {
    return { started: true, completed: true, success: true, result: await getResult(jobId) };
  } catch (error) {
    return { started: true, completed: true, success: false, result: { error: { name: (error as Error).name, message: (error as Error).message } } };
  }
}

/** Cancels a job this script started (with what it started in turn). */
export async function cancelJob(jobId: string, reason?: string): Promise<string> {
  await call("cancel_job", { id: jobId, reason: reason ?? null });
  return jobId;
}

export const pgSql = (..._args: unknown[]): never => unsupported("pgSql");
export const pgClient = (..._args: unknown[]): never => unsupported("pgClient");
export const setClient = (..._args: unknown[]): void => {};

export default {
  getResumeUrls,
  get_resume_urls,
  getResumeEndpoints,
  getJobId,
  getVariable,
  setVariable,
  getResource,
  setResource,
  resolveDefaultResource,
  getState,
  setState,
  getInternalState,
  setInternalState,
  getStatePath,
  getWorkspace,
  databaseUrlFromResource,
  getSharedState,
  setSharedState,
  base64ToUint8Array,
  uint8ArrayToBase64,
  setClient,
  runScript,
  runScriptAsync,
  runScriptByPath,
  runScriptByPathAsync,
  runScriptByHash,
  runScriptByHashAsync,
  runFlow,
  runFlowAsync,
  runFlowByPath,
  runFlowByPathAsync,
  waitJob,
  getResult,
  getResultMaybe,
  getJobStatus,
  cancelJob,
};
