/** Bun's most used APIs on Deno (see BunCompatibility in Sluice's sources). */
import { current } from "./context.ts";

const supported = "Bun.env, Bun.file, Bun.write, Bun.sleep, Bun.sleepSync, Bun.version, Bun.main";

function pathOf(target: string | URL | BunFile): string {
  if (target instanceof BunFile) return target.name;
  return target instanceof URL ? target.pathname : String(target);
}

async function bytesOf(data: unknown): Promise<Uint8Array> {
  if (typeof data === "string") return new TextEncoder().encode(data);
  if (data instanceof Uint8Array) return data;
  if (data instanceof ArrayBuffer) return new Uint8Array(data);
  if (ArrayBuffer.isView(data)) return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  if (data instanceof BunFile) return await data.bytes();
  if (data instanceof Blob || data instanceof Response) return new Uint8Array(await data.arrayBuffer());
  throw new TypeError("Bun.write: cannot write a " + typeof data + " (give a string, bytes, a Blob, a Response or a Bun.file)");
}

class BunFile {
  readonly name: string;
  readonly type: string;
  constructor(path: string, options?: { type?: string }) {
    this.name = path;
    this.type = options?.type ?? (path.endsWith(".json") ? "application/json;charset=utf-8" : "text/plain;charset=utf-8");
  }
  get size(): number {
    try {
      return Deno.statSync(this.name).size;
    } catch {
      return 0;
    }
  }
  async text(): Promise<string> {
    return await Deno.readTextFile(this.name);
  }
  // deno-lint-ignore no-explicit-any
  async json(): Promise<any> {
    return JSON.parse(await this.text());
  }
  async bytes(): Promise<Uint8Array> {
    return await Deno.readFile(this.name);
  }
  async arrayBuffer(): Promise<ArrayBuffer> {
    return (await this.bytes()).slice().buffer;
  }
  async exists(): Promise<boolean> {
    try {
      await Deno.stat(this.name);
      return true;
    } catch (error) {
      if (error instanceof Deno.errors.NotFound) return false;
      throw error;
    }
  }
  async write(data: unknown): Promise<number> {
    return await write(this, data);
  }
  async delete(): Promise<void> {
    await Deno.remove(this.name);
  }
  stream(): ReadableStream<Uint8Array> {
    const name = this.name;
    return new ReadableStream({
      async start(controller) {
        controller.enqueue(await Deno.readFile(name));
        controller.close();
      },
    });
  }
}

function file(path: string | URL, options?: { type?: string }): BunFile {
  return new BunFile(pathOf(path), options);
}

async function write(destination: string | URL | BunFile, data: unknown): Promise<number> {
  const bytes = await bytesOf(data);
  await Deno.writeFile(pathOf(destination), bytes);
  return bytes.length;
}

function sleep(ms: number | Date): Promise<void> {
  const wait = ms instanceof Date ? ms.getTime() - Date.now() : ms;
  return new Promise((resolve) => setTimeout(resolve, Math.max(0, wait)));
}

function sleepSync(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, Math.max(0, ms));
}

const members: Record<string, unknown> = {
  file,
  write,
  sleep,
  sleepSync,
  version: "1.0.0-sluice-deno",
  revision: "sluice",
};

/** Defines `globalThis.Bun`; any member it does not offer throws, naming it. */
export function installBun() {
  const bun = new Proxy(members, {
    get(target, name) {
      if (name === "env") return current.env;
      if (name === "main") return new URL("script.ts", `file://${Deno.cwd()}/`).pathname;
      if (typeof name === "symbol" || name in target) return target[name as string];
      if (name === "then" || name === "toJSON") return undefined;
      throw new TypeError(`Bun.${String(name)} is not supported by Sluice: TypeScript runs on Deno here (supported: ${supported})`);
    },
  });
  Object.defineProperty(globalThis, "Bun", { value: bun, writable: false, configurable: false, enumerable: false });
}
