// A policy file caught in the middle of a non-atomic rewrite (truncated, then written in pieces) must never
// lower enforcement: what a reader sees then is empty, comment-only or `---` — valid YAML holding no policy.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { Registry } from "prom-client";
import { createLogger } from "../../runtime/index.ts";
import { createMetrics } from "../../webhook/metrics.ts";
import { PolicyStore } from "../../webhook/policy-store.ts";

const policy = (enforcement: string) => `apiVersion: poolkeeper.dev/v1alpha1
kind: PoolPolicy
metadata:
  name: imds
spec:
  rules:
    imds.hop-limit:
      enforcement: ${enforcement}
`;

/** The enforcement of imds.hop-limit (baseline: warn) in the policy in force ("off" when the rule is not run). */
const enforcement = (store: PolicyStore) =>
  store.current
    .resolve({ kind: "EC2NodeClass", name: "x", labels: {} })
    .rules.find((r) => r.rule.id === "imds.hop-limit")?.severity ?? "off";

describe("a policy file mid-rewrite", () => {
  let dir: string;
  before(() => (dir = mkdtempSync(join(tmpdir(), "poolkeeper-rewrite-"))));
  after(() => rmSync(dir, { recursive: true, force: true }));

  function store(name: string, text: string) {
    const file = join(dir, name);
    writeFileSync(file, text);
    const logs: { msg: string; error?: string }[] = [];
    const logger = createLogger({
      level: "debug",
      destination: { write: (line: string) => void logs.push(JSON.parse(line)) },
    });
    const metrics = createMetrics(new Registry());
    const gauge = async () => (await metrics.policyLastReloadSuccessful.get()).values[0]?.value;
    return { file, logs, metrics, gauge, store: new PolicyStore({ files: [file], logger, metrics }) };
  }

  for (const [what, text] of [
    ["empty", ""],
    ["comment-only", "# being rewritten\n"],
    ["a bare document marker", "---\n"],
  ] as const) {
    test(`${what}: the reload is invalid, the old policy stays, the gauge is 0`, async () => {
      const s = store(`${what.replace(/ /g, "-")}.yaml`, policy("deny"));
      assert.equal(enforcement(s.store), "deny");
      const before = s.store.current;
      writeFileSync(s.file, text);
      assert.equal(s.store.reload(), false);
      assert.equal(s.store.current, before);
      assert.equal(enforcement(s.store), "deny");
      assert.equal(await s.gauge(), 0);
      const failure = s.logs.find((l) => l.msg === "policy reload failed; the previous policy stays in force");
      assert.match(failure?.error ?? "", /holds no PoolPolicy, where it held 1/);
    });
  }

  test("a file that never held a policy may stay empty", async () => {
    const s = store("never.yaml", "");
    writeFileSync(s.file, "# still nothing\n");
    s.store.reload();
    assert.equal(await s.gauge(), 1);
  });

  test("the watcher applies a change only when two reads agree", async () => {
    const s = store("settle.yaml", policy("deny"));
    writeFileSync(s.file, policy("deny").slice(0, 40)); // a first chunk: not even valid YAML for a policy
    assert.equal(s.store.settle(), "pending");
    writeFileSync(s.file, policy("warn")); // the writer finished between the two looks
    assert.equal(s.store.settle(), "pending", "a read that differs from the last one starts over");
    assert.equal(enforcement(s.store), "deny");
    assert.equal(s.store.settle(), "reloaded");
    assert.equal(enforcement(s.store), "warn");
    assert.equal(s.store.settle(), "unchanged");
  });

  test("a rewrite seen at every step never lowers enforcement below the old or the new policy", async () => {
    const s = store("steps.yaml", policy("deny"));
    const next = policy("deny").replace("name: imds", "name: imds-v2");
    const steps = ["", ...Array.from({ length: 8 }, (_, i) => next.slice(0, Math.ceil(((i + 1) * next.length) / 8)))];
    for (const step of steps) {
      writeFileSync(s.file, step);
      for (let look = 0; look < 3; look++) {
        s.store.settle();
        assert.equal(enforcement(s.store), "deny", `after ${JSON.stringify(step)}`);
      }
    }
  });
});
