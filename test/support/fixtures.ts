// Paths of the project's test inputs, independent of the working directory the test runner uses.
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

export const projectRoot = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
export const fixturesDir = join(projectRoot, "test", "fixtures");

/** The upstream Karpenter v1 examples (file name and text), real input nobody on this project wrote. */
export function upstreamExamples(): { name: string; path: string; text: string }[] {
  const dir = join(fixturesDir, "upstream");
  return readdirSync(dir)
    .filter((f) => f.endsWith(".yaml"))
    .sort()
    .map((name) => ({ name, path: join(dir, name), text: readFileSync(join(dir, name), "utf8") }));
}
