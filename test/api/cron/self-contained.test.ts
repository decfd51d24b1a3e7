// api/cron is pure data and arithmetic: it imports only api/ files (and nothing from node_modules), never the words
// in policies/schedule-text. Arrows point down the parts' list; this keeps the one that used to point up from coming back.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { projectRoot } from "../../support/fixtures.ts";

test("api/cron imports only api/ files", () => {
  const dir = join(projectRoot, "api", "cron");
  const api = join(projectRoot, "api");
  const files = readdirSync(dir).filter((name) => name.endsWith(".ts"));
  assert.ok(files.includes("index.ts") && files.includes("schedule.ts"), "found the package's files");
  const outside: string[] = [];
  for (const name of files) {
    const text = readFileSync(join(dir, name), "utf8");
    for (const [, specifier = ""] of text.matchAll(/^\s*(?:import|export)\b[^"']*?from\s+["']([^"']+)["']/gm)) {
      const target = specifier.startsWith(".") ? resolve(dirname(join(dir, name)), specifier) : specifier;
      if (!target.startsWith(api + "/"))
        outside.push(`${name} imports ${specifier} (${relative(projectRoot, target)})`);
    }
  }
  assert.deepEqual(outside, []);
});
