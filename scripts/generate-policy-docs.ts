// Writes docs/policies.md from the rules' metadata (`npm run generate`); test/policies/docs.test.ts fails when
// the file is stale.
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { renderPolicyDocs } from "../policies/docs.ts";
import { builtinRules } from "../policies/rules/index.ts";

export const policyDocsPath = join(fileURLToPath(new URL("..", import.meta.url)), "docs", "policies.md");

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  writeFileSync(policyDocsPath, renderPolicyDocs(builtinRules));
  console.log("wrote docs/policies.md");
}
