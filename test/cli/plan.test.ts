// `poolkeeper plan` on a fixture repository (built with git in the test) whose change drifts two pools (the default
// EC2NodeClass's AMI), cuts batch's CPU limit below what its nodes use and gives web a business-hours budget,
// planned over a snapshot of ten nodes: the Markdown a pull request would get (test/fixtures/plan/expected.md, written
// by hand from what the change must do), the same facts in JSON, what it cannot know without a snapshot, and a bad
// snapshot refused with its file and field (exit 2).
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fixturesDir } from "../support/fixtures.ts";
import { M5, planRepo, poolkeeperIn } from "../support/plan-fixture.ts";
import { PLAN_EDITS, planSnapshot } from "../support/plan-scenario.ts";

const repo = planRepo(PLAN_EDITS);
const snapshotFile = join(repo, "snapshot.json");
writeFileSync(snapshotFile, JSON.stringify(planSnapshot()));
test.after(() => rmSync(repo, { recursive: true, force: true }));

// In process, from the repository (findings name files relative to it, as in a CI job's checkout).
const poolkeeper = (...args: string[]) => poolkeeperIn(repo, ...args);

test("the change's plan in Markdown is the golden file", async () => {
  const { code, stdout, stderr } = await poolkeeper(
    "plan",
    "--base",
    "main",
    "--head",
    "change",
    "--snapshot",
    "snapshot.json",
    "--format",
    "markdown",
    "pools",
  );
  assert.equal(stderr, "");
  assert.equal(code, 0, "a warning does not block");
  assert.equal(stdout, readFileSync(join(fixturesDir, "plan", "expected.md"), "utf8"));
});

test("JSON carries the same facts, with the costs from the catalog's prices", async () => {
  const { code, stdout } = await poolkeeper(
    "plan",
    "--base",
    "main",
    "--head",
    "change",
    "--snapshot",
    "snapshot.json",
    "--format",
    "json",
    "pools",
  );
  assert.equal(code, 0);
  const plan = JSON.parse(stdout);
  assert.equal(plan.kind, "Plan");
  const { cluster } = plan.preview;
  const drift = Object.fromEntries(cluster.drift.map((d: { nodePool: string; drifting: number }) => [d.nodePool, d]));
  assert.deepEqual(Object.keys(drift), ["default", "web"], "batch's class did not change");
  assert.equal(drift.default.drifting, 4);
  assert.equal(drift.default.perWave, 2);
  assert.equal(drift.default.waves, 2);
  assert.equal(drift.web.perWave, 0);
  assert.equal(drift.web.blockedUntil, "17:00 UTC");
  assert.equal(drift.web.perWaveAfter, 1);
  const now = 4 * M5["m5.xlarge"].usd + 3 * M5["m5.large"].usd + 3 * M5["m5.2xlarge"].usd;
  assert.ok(Math.abs(cluster.cost.now - now) < 1e-9);
  // Without the change the pending 2-CPU job gets an m5.xlarge (an m5.large has 1930m allocatable).
  assert.ok(Math.abs(cluster.cost.ifNotMerged - (now + M5["m5.xlarge"].usd)) < 1e-9);
  assert.deepEqual(
    cluster.capacity.base.launches.map((l: { nodeClaims: object }) => l.nodeClaims),
    [{ "m5.xlarge on-demand": 1 }],
  );
  assert.deepEqual(
    cluster.capacity.head.held.map((h: { pod: string; limitedBy: string[] }) => [h.pod, h.limitedBy]),
    [["batch/job-1", ["batch"]]],
  );
  assert.deepEqual(
    cluster.limits.map((l: { nodePool: string; resource: string; used: string; binds: boolean }) => [
      l.nodePool,
      l.resource,
      l.used,
      l.binds,
    ]),
    [["batch", "cpu", "24", true]],
  );
});

test("without a snapshot, plan says what it cannot know; text for a terminal", async () => {
  const { code, stdout } = await poolkeeper("plan", "--base", "main", "--head", "change", "pools");
  assert.equal(code, 0);
  assert.match(stdout, /^poolkeeper plan: main → change\n={30}$/m);
  assert.match(stdout, /EC2NodeClass\/default\s+changed\s+nodes launched with it drift \(AMIDrift\)/);
  assert.match(stdout, /No snapshot was given \(--snapshot\), so this plan cannot say how many nodes drift/);
  assert.doesNotMatch(stdout, /`/, "no Markdown marks in text");
  // JSON tells a machine the same (docs/plan.md lists what cannot be known without a snapshot).
  const json = JSON.parse(
    (await poolkeeper("plan", "--base", "main", "--head", "change", "--format", "json", "pools")).stdout,
  );
  assert.equal(json.preview.cluster, undefined);
  assert.deepEqual(json.unknown, [
    "how many nodes drift and how long their replacement takes",
    "which pending pods get new nodes",
    "what consolidation does",
    "whether a limit binds",
    "what the change costs per hour",
  ]);
});

test("the working tree is the head by default; a denial blocks (exit 1), as check's does", async () => {
  const { code, stdout } = await poolkeeper("plan", "--base", "main", "--format", "json", "pools");
  assert.equal(code, 0);
  assert.deepEqual(
    JSON.parse(stdout).changes.map((c: { kind: string; name: string }) => `${c.kind}/${c.name}`),
    ["NodePool/batch", "EC2NodeClass/default", "NodePool/web"],
  );
  const file = join(repo, "pools", "default.yaml");
  const text = readFileSync(file, "utf8");
  writeFileSync(file, text.replace("httpTokens: required", "httpTokens: optional"));
  try {
    const denied = await poolkeeper("plan", "--base", "main", "--format", "json", "pools");
    assert.equal(denied.code, 1);
    assert.ok(JSON.parse(denied.stdout).findings.some((f: { severity: string }) => f.severity === "deny"));
  } finally {
    writeFileSync(file, text);
  }
});

test("a bad snapshot is refused with its file and field, exit 2", async () => {
  const snapshot = planSnapshot() as unknown as {
    pods: { spec: { containers: { resources: { requests: Record<string, string> } }[] } }[];
  };
  const [first] = snapshot.pods;
  assert.ok(first);
  const [container] = first.spec.containers;
  assert.ok(container);
  container.resources.requests["cpu"] = "lots";
  writeFileSync(join(repo, "bad.json"), JSON.stringify({ ...snapshot, kind: "Snapshot" }));
  const bad = await poolkeeper("plan", "--base", "main", "--snapshot", "bad.json", "pools");
  assert.equal(bad.code, 2);
  assert.equal(bad.stdout, "");
  assert.match(bad.stderr, /^poolkeeper: bad\.json: not a valid ClusterSnapshot \(poolkeeper\.dev\/v1alpha1\):$/m);
  assert.match(bad.stderr, /^ {2}bad\.json: kind must be "ClusterSnapshot"$/m);
  assert.match(
    bad.stderr,
    /^ {2}bad\.json: pods\[0\]\.spec\.containers\[0\]\.resources\.requests\.cpu must be a Kubernetes quantity such as 500m or 2Gi \(found "lots"\)$/m,
  );
  assert.doesNotMatch(bad.stderr, /\n\s+at /, "no stack trace");

  writeFileSync(join(repo, "truncated.json"), JSON.stringify(planSnapshot()).slice(0, 100));
  const truncated = await poolkeeper("plan", "--base", "main", "--snapshot", "truncated.json", "pools");
  assert.equal(truncated.code, 2);
  assert.match(truncated.stderr, /^poolkeeper: truncated\.json: not valid JSON/);

  const unknownType = planSnapshot();
  writeFileSync(
    join(repo, "unknown.json"),
    JSON.stringify({
      ...unknownType,
      offerings: [...unknownType.offerings, { ...unknownType.offerings[0], instanceType: "m99.huge" }],
    }),
  );
  const unknown = await poolkeeper("plan", "--base", "main", "--snapshot", "unknown.json", "pools");
  assert.equal(unknown.code, 2);
  assert.match(
    unknown.stderr,
    /unknown\.json: offerings\[6\]\.instanceType: "m99\.huge" is not in the instance-type catalog/,
  );
});
