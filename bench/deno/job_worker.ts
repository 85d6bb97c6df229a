// The job of bench/deno/deno_costs.ts: `main(x) = x + 1`, answered to the Worker's host (or, run
// as a process, printed).
export function main(x: number) {
  return x + 1;
}

if ("WorkerGlobalScope" in globalThis) {
  const scope = globalThis as unknown as { onmessage: (event: MessageEvent<number>) => void; postMessage: (value: number) => void };
  scope.onmessage = (event) => scope.postMessage(main(event.data));
} else {
  console.log(main(41));
}
