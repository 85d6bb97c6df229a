// Where a per-job TypeScript job's time goes, and what a warm Deno could save: the cost of a bare
// `deno run` process, and of a fresh Worker (its own V8 isolate) inside one warm Deno process —
// with its own permissions (what per-job isolation in a warm process would need:
// `deno: { permissions }`) and without; one at a time, then PARALLEL at once (as a worker's slots
// would). Run by scripts/bench.sh:
//   deno run --unstable-worker-options --allow-read --allow-run bench/deno/deno_costs.ts [COUNT] [PARALLEL]
const count = Number(Deno.args[0] ?? 100);
const parallel = Number(Deno.args[1] ?? 8);
const here = new URL(".", import.meta.url);
const job = new URL("job_worker.ts", here).href;
const deno = Deno.execPath();

async function perSecond(label: string, run: () => Promise<void>) {
  await run(); // one to warm caches
  for (const lanes of [1, parallel]) {
    let left = count;
    const lane = async () => {
      while (left-- > 0) await run();
    };
    const started = performance.now();
    await Promise.all(Array.from({ length: lanes }, lane));
    const milliseconds = performance.now() - started;
    console.log(`${label}, ${lanes} at a time: ${(count * 1000 / milliseconds).toFixed(0)}/s`);
  }
}

function inWorker(options: WorkerOptions): () => Promise<void> {
  return () =>
    new Promise((resolve, reject) => {
      const worker = new Worker(job, options);
      worker.onmessage = (event) => {
        worker.terminate();
        if (event.data === 42) resolve();
        else reject(new Error(`unexpected answer ${event.data}`));
      };
      worker.onerror = (event) => {
        event.preventDefault();
        worker.terminate();
        reject(new Error(event.message));
      };
      worker.postMessage(41);
    });
}

await perSecond("a deno process per job (deno run, no sandbox)", async () => {
  const { code } = await new Deno.Command(deno, { args: ["run", "--quiet", job], stdout: "null", env: { DENO_NO_UPDATE_CHECK: "1" } })
    .output();
  if (code !== 0) throw new Error(`deno exited ${code}`);
});
const read = [new URL(".", import.meta.url).pathname];
await perSecond(
  "a Worker per job with its own permissions (read: its directory)",
  inWorker({
    type: "module",
    deno: { permissions: { read, write: false, net: false, env: false, run: false, ffi: false, sys: false, import: false } },
  }),
);
await perSecond("a Worker per job, permissions inherited", inWorker({ type: "module" }));
