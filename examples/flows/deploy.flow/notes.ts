// Release notes, as a Windmill TypeScript step writes them: arguments by name, the return value is the result.
export async function main(service: string, build: { artifact: string; size_kb: number }, healthy = false) {
  console.log(`writing release notes for ${service}`);
  const status = healthy ? "healthy" : "not checked";
  return { service, notes: `${build.artifact} (${build.size_kb} KiB), ${status}`, runtime: `deno ${Deno.version.deno}` };
}
