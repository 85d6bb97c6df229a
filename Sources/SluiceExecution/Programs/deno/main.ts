import { enter, invoke } from "./context.ts";
import { installBun } from "./bun.ts";

const directory = Deno.args[0];
const context = JSON.parse(await Deno.readTextFile(`${directory}/context.json`));
enter(context);
if (context.bun) installBun();

function describe(error: unknown) {
  if (error instanceof SyntaxError) {
    // A named import of a module that cannot resolve here fails as modules are linked: say why.
    for (const [specifier, message] of Object.entries(context.unsupported ?? {})) {
      if (error.message.includes(`'${specifier}'`)) return { name: "Error", message, stack: `Error: ${message}` };
    }
  }
  if (error instanceof Error) {
    return { name: error.name, message: error.message, stack: error.stack ?? "" };
  }
  return { name: "Error", message: String(error), stack: "" };
}

let code = 0;
try {
  const script = await import(new URL(`file://${directory}/script.ts`).href);
  const result = await invoke(script, context);
  const text = JSON.stringify(result === undefined ? null : result);
  await Deno.writeTextFile(`${directory}/result.json`, text);
} catch (error) {
  const described = describe(error);
  console.error(described.stack || `${described.name}: ${described.message}`);
  await Deno.writeTextFile(`${directory}/error.json`, JSON.stringify(described));
  code = 1;
}
Deno.exit(code);
