import * as wmill from "windmill-client";
export function main(name = "warm") {
  return { name, client: typeof wmill.getResumeUrls, bun: typeof Bun };
}
