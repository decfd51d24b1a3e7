#!/usr/bin/env node
// Entry point of the `poolkeeper` command. A source checkout runs the TypeScript directly (Node 24 strips
// types; `npm ci` installs Node 24 as a devDependency and npx puts it first on PATH); a built package, or a
// Node without type stripping, runs the compiled dist/.
import { existsSync } from "node:fs";

const source = new URL("../cli/main.ts", import.meta.url);
const built = new URL("../dist/cli/main.js", import.meta.url);
const useSource = existsSync(source) && Boolean(process.features.typescript);
if (!useSource && !existsSync(built)) {
  console.error("poolkeeper: this Node.js cannot run TypeScript sources and dist/ is missing: run `npm run build`.");
  process.exit(2);
}
const { main } = await import(useSource ? source.href : built.href);
process.exitCode = await main(process.argv.slice(2));
