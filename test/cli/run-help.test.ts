// `poolkeeper run --help` lists every setting with its default and environment variable, and docs/configuration.md
// lists the same ones: each flag of the help has a row with the same variable and default, and each row a flag.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import * as gitops from "../../gitops/index.ts";
import { buildProgram } from "../../cli/main.ts";
import { capturedOutput } from "../../cli/output.ts";
import * as run from "../../cli/run-settings.ts";
import * as limits from "../../cli/serving-limits.ts";
import { projectRoot } from "../support/fixtures.ts";

interface Setting {
  env: string;
  default?: string;
}

function helpSettings(): Map<string, Setting> {
  const out = capturedOutput();
  const program = buildProgram(out, () => {}, { gitops, limits, run });
  assert.throws(() => program.parse(["run", "--help"], { from: "user" }), { code: "commander.helpDisplayed" });
  const settings = new Map<string, Setting>();
  for (const line of out.out.split("\n")) {
    const match = /^ {2}(--[a-z-]+)\b.*\s{2}(.*)$/.exec(line);
    if (!match?.[1] || match[1] === "--help") continue;
    const env = /env: (POOLKEEPER_[A-Z_]+)\)$/.exec(match[2] ?? "");
    assert.ok(env?.[1], `${match[1]} names its environment variable: ${line}`);
    const fallback = /\(default: (?:"([^"]*)"|(\[\]))/.exec(match[2] ?? "");
    settings.set(match[1], { env: env[1], ...(fallback ? { default: fallback[1] ?? fallback[2] } : {}) });
  }
  return settings;
}

function documentedSettings(): Map<string, { env: string; default: string }> {
  const doc = readFileSync(join(projectRoot, "docs", "configuration.md"), "utf8");
  const rows = new Map<string, { env: string; default: string }>();
  for (const line of doc.split("\n")) {
    if (!line.startsWith("| `--")) continue;
    const cells = line
      .replaceAll("\\|", "\u0000")
      .split("|")
      .map((c) => c.trim().replaceAll("\u0000", "|"));
    const flag = /^`(--[a-z-]+)/.exec(cells[1] ?? "")?.[1];
    assert.ok(flag, `a flag in ${line}`);
    rows.set(flag, { env: (cells[2] ?? "").replaceAll("`", ""), default: cells[4] ?? "" });
  }
  return rows;
}

test("docs/configuration.md lists every setting of run --help with the same variable and default", () => {
  const help = helpSettings();
  const documented = documentedSettings();
  assert.ok(help.size >= 30, `the help lists the settings (${help.size})`);
  assert.deepEqual([...documented.keys()].sort(), [...help.keys()].sort());
  for (const [flag, setting] of help) {
    const row = documented.get(flag);
    assert.equal(row?.env, setting.env, `${flag}'s variable`);
    if (setting.default !== undefined && setting.default !== "[]") {
      assert.equal(row?.default, `\`${setting.default}\``, `${flag}'s default`);
    }
  }
});
