export async function main(version: string, greeting: string, words: number) {
  return `Release ${version}: ${greeting} (${words} words)`;
}
