// Windmill's TypeScript convention: `main`'s parameters are the job's arguments, by name.
export async function main(name = "world", times = 1) {
  console.log(`greeting ${name} ${times} time(s)`);
  return { greeting: Array(times).fill(`Hello, ${name}!`).join(" ") };
}
