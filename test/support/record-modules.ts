// Loaded with `node --import` into a command under test: on exit, writes every module URL the process resolved to
// the file named by RECORD_MODULES_TO, one a line — what a start-up test reads to see which parts a command loads.
import { writeFileSync } from "node:fs";
import { registerHooks } from "node:module";

const file = process.env.RECORD_MODULES_TO;
const resolved = new Set<string>();
registerHooks({
  resolve(specifier, context, nextResolve) {
    const result = nextResolve(specifier, context);
    resolved.add(result.url);
    return result;
  },
});
process.on("exit", () => {
  if (file) writeFileSync(file, [...resolved].join("\n"));
});
