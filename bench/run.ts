// `npm run bench`: runs every bench/*.bench.ts in its own process (so one cannot warm the JIT for another)
// and prints their figures. Each benchmark measures its baseline in the same run and prints the ratio.
import { execFileSync } from "node:child_process";
import { readdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const dir = dirname(fileURLToPath(import.meta.url));
const only = process.argv.slice(2);
for (const file of readdirSync(dir)
  .filter((f) => f.endsWith(".bench.ts"))
  .sort()) {
  if (only.length > 0 && !only.some((name) => file.includes(name))) continue;
  console.log(`\n## ${file}`);
  execFileSync(process.execPath, ["--expose-gc", join(dir, file)], { stdio: "inherit" });
}
