// Sluice's JavaScript engine for the flow expressions its in-process subset does not cover.
//
// Run by the worker as `deno run --no-prompt <this file>` with no permissions at all (no files,
// network, environment, subprocesses, FFI) inside the job sandbox; one request at a time: a line
// of JSON on stdin, a line of JSON on stdout. The worker bounds each evaluation's time (it kills
// and restarts this process on overrun) and V8's heap (--max-old-space-size).
//
// Request:  {"id": "<nonce>", "source": "<code>", "scope": {name: value}, "undefined": [names],
//            "references": {"variable:PATH": {"value": v} | {"error": message}}, "steps": [ids]}
// Response: {"id": "<nonce>", "json": "<JSON text>"} or {"id": "<nonce>", "error": "<message>"}
//
// The code is wrapped as Windmill wraps it: `return <code>` unless it starts with a statement
// keyword or holds a `;` outside strings and brackets, then it is a function body (which must
// `return`); the value is awaited, and `undefined` becomes `null`. (Windmill's QuickJS wrapper
// also counts a `;` inside brackets, which makes an IIFE with a block body evaluate to null; the
// earlier Deno evaluator returned its value, as here.)
//
// One process serves many flows, so no evaluation may leave anything for the next: the built-ins
// are frozen before the first one (no prototype or global can be replaced), globals an evaluation
// adds are removed before the next, values reach the code only as arguments, and each reply
// carries the request's random id, so output an earlier evaluation leaves behind is never taken
// for an answer.

const write = Deno.stdout.write.bind(Deno.stdout);
const input = Deno.stdin.readable;
const parse = JSON.parse;
const stringify = JSON.stringify;
const decoder = new TextDecoder();
const encoder = new TextEncoder();
const keys = Reflect.ownKeys;
const own = Object.getOwnPropertyDescriptor;

function harden(root) {
  const seen = new Set();
  const stack = [root];
  while (stack.length > 0) {
    const value = stack.pop();
    if (value === null || (typeof value !== "object" && typeof value !== "function") || seen.has(value)) continue;
    seen.add(value);
    for (const key of keys(value)) {
      const descriptor = own(value, key);
      if (!descriptor) continue;
      if ("value" in descriptor) stack.push(descriptor.value);
      else stack.push(descriptor.get, descriptor.set);
    }
    stack.push(Object.getPrototypeOf(value));
    if (value !== globalThis) {
      try {
        Object.freeze(value);
      } catch {
        // Some host objects refuse; their prototypes are frozen all the same.
      }
    }
  }
  // The global object stays extensible (Deno adds to it at exit), but no global it has can be
  // replaced or removed.
  for (const key of keys(globalThis)) {
    const descriptor = own(globalThis, key);
    if (descriptor?.configurable) {
      try {
        Object.defineProperty(globalThis, key, "value" in descriptor ? { writable: false, configurable: false } : { configurable: false });
      } catch {
        // Left as Deno made it.
      }
    }
  }
}

const statementStart = /^(return|const|let|var|if|for|while|do|switch|try|throw|function|class|async|await)\b/;

/// Whether `code` runs as a function body: it starts with a statement, or has a `;` outside
/// string literals and brackets.
function isBody(code) {
  if (statementStart.test(code)) return true;
  let quote = null;
  let depth = 0;
  for (let i = 0; i < code.length; i++) {
    const c = code[i];
    if (quote) {
      if (c === "\\") i++;
      else if (c === quote) quote = null;
    } else if (c === "'" || c === '"' || c === "`") {
      quote = c;
    } else if (c === "(" || c === "[" || c === "{") {
      depth++;
    } else if (c === ")" || c === "]" || c === "}") {
      depth--;
    } else if (c === ";" && depth === 0) {
      return true;
    }
  }
  return false;
}

function lookup(references, kind, path) {
  if (typeof path !== "string") throw new TypeError(`${kind}() takes the path as a string, e.g. ${kind}('f/ops/token')`);
  const found = references[`${kind}:${path}`];
  if (found === undefined) {
    throw new ReferenceError(
      `${kind}('${path}') is not available here: write the path as a string literal, so it is resolved before the step starts`,
    );
  }
  if ("error" in found) throw new Error(found.error);
  return found.value;
}

async function evaluate(request) {
  const names = Object.keys(request.scope);
  const values = names.map((name) => request.scope[name]);
  for (const name of request.undefined ?? []) {
    names.push(name);
    values.push(undefined);
  }
  const references = request.references ?? {};
  const results = request.scope.results ?? {};
  const steps = request.steps ?? [];
  const current = request.current ?? steps.length;
  const helpers = {
    variable: (path) => lookup(references, "variable", path),
    resource: (path) => lookup(references, "resource", path),
    // Windmill's legacy `step(i)`: the result of top-level module i, or counted back from this one.
    step: (index) => results[steps[index < 0 ? current + index : index]],
  };
  for (const [name, helper] of Object.entries(helpers)) {
    if (!names.includes(name)) {
      names.push(name);
      values.push(helper);
    }
  }
  const code = request.source.trim();
  if (code === "") return "null";
  const body = isBody(code) ? code : `return (\n${code}\n);`;
  const run = new Function(...names, `"use strict";\nreturn (async () => {\n${body}\n})();`);
  const value = await run(...values);
  return stringify(value ?? null);
}

// A promise an expression leaves rejected must not end the engine for everyone else.
globalThis.addEventListener("unhandledrejection", (event) => event.preventDefault());
const baseline = new Set(keys(globalThis));
harden(globalThis);

let pending = new Uint8Array(0);
for await (const chunk of input) {
  const joined = new Uint8Array(pending.length + chunk.length);
  joined.set(pending);
  joined.set(chunk, pending.length);
  pending = joined;
  let newline;
  while ((newline = pending.indexOf(10)) >= 0) {
    const line = decoder.decode(pending.subarray(0, newline));
    pending = pending.slice(newline + 1);
    for (const key of keys(globalThis)) {
      if (!baseline.has(key) && typeof key === "string") delete globalThis[key];
    }
    let request;
    let reply;
    try {
      request = parse(line);
      reply = { id: request.id, json: await evaluate(request) };
    } catch (error) {
      const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
      reply = { id: request?.id ?? null, error: message };
    }
    await write(encoder.encode(stringify(reply) + "\n"));
  }
}
