// The corpus of manifests that break policy rules, in test/fixtures/policy/: each file names the rules it
// exercises and the exact findings they must produce, at the right line and column. Headers:
//   # case: what is wrong (one line)
//   # rules: rule ids or family wildcards compared (default: the family in the file name, `imds-…` → `imds.*`)
//   # preset: baseline | strict (default baseline)
//   # policy: a PoolPolicy file under test/fixtures/policy/policies/ (optional)
//   # previous: a file under test/fixtures/policy/previous/ holding the objects' previous versions (optional)
//   # expect: <line>:<col> <severity> <rule-id>
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { loadManifests, isRecord } from "../../api/index.ts";
import { builtinRules } from "../../policies/rules/index.ts";
import { compilePolicy } from "../../policies/compiled-policy.ts";
import { evaluate } from "../../policies/engine.ts";
import { loadPolicies } from "../../policies/load-policies.ts";
import { ruleMatches } from "../../policies/rule-pattern.ts";
import type { PresetName } from "../../policies/policy-document.ts";
import type { PolicyObject } from "../../policies/prepare-target.ts";
import { fixturesDir } from "../support/fixtures.ts";

const dir = join(fixturesDir, "policy");
const now = new Date("2026-11-25T12:00:00Z");

function header(text: string, name: string): string[] {
  return text
    .split("\n")
    .filter((l) => l.startsWith(`# ${name}:`))
    .map((l) => l.slice(name.length + 3).trim());
}

function runCase(file: string): { expected: string[]; actual: string[] } {
  const text = readFileSync(join(dir, file), "utf8");
  const rules = (header(text, "rules")[0] ?? `${file.split("-")[0]}.*`).split(",").map((r) => r.trim());
  const preset = (header(text, "preset")[0] ?? "baseline") as PresetName;
  const policies = header(text, "policy").flatMap((p) => {
    const loaded = loadPolicies(readFileSync(join(dir, "policies", p), "utf8"), p, builtinRules);
    assert.deepEqual(loaded.errors, [], `${p} must be a valid policy`);
    return loaded.policies;
  });
  const previousByName = new Map<string, unknown>();
  for (const p of header(text, "previous")) {
    for (const m of loadManifests(readFileSync(join(dir, "previous", p), "utf8"), p).manifests) {
      previousByName.set(`${m.kind}/${m.name}`, m.original);
    }
  }
  const set = loadManifests(text, file);
  assert.deepEqual(set.errors, [], `${file} must be readable YAML`);
  const objects: PolicyObject[] = set.manifests.map((manifest) => ({
    manifest,
    previous: previousByName.get(`${manifest.kind}/${manifest.name}`),
  }));
  const findings = evaluate(objects, compilePolicy(policies, { rules: builtinRules, preset }), { now });
  const actual = findings
    .filter((f) => rules.some((pattern) => ruleMatches(pattern, f.rule)))
    .map((f) => `${f.source ? `${f.source.line}:${f.source.col}` : "-"} ${f.severity} ${f.rule}`);
  return { expected: header(text, "expect"), actual };
}

const files = readdirSync(dir)
  .filter((f) => f.endsWith(".yaml"))
  .sort();

describe("policy corpus: each broken manifest produces exactly its rules' findings", () => {
  for (const file of files) {
    test(file, () => {
      const { expected, actual } = runCase(file);
      assert.ok(
        expected.length > 0 || /no finding/i.test(readFileSync(join(dir, file), "utf8")),
        `${file} expects nothing`,
      );
      assert.deepEqual([...actual].sort(), [...expected].sort());
    });
  }
});

test("every built-in rule has at least one manifest in the corpus that triggers it", () => {
  const triggered = new Set(
    files.flatMap((file) => header(readFileSync(join(dir, file), "utf8"), "expect").map((e) => e.split(" ")[2])),
  );
  const missing = builtinRules.map((r) => r.id).filter((id) => !triggered.has(id));
  assert.deepEqual(missing, []);
});

test("the corpus files are Karpenter objects (a fixture that is not would test nothing)", () => {
  for (const file of files) {
    const set = loadManifests(readFileSync(join(dir, file), "utf8"), file);
    assert.ok(set.manifests.length > 0 && set.manifests.every((m) => isRecord(m.original)), file);
  }
});
