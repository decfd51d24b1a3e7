// Disruption's section of the Git status report, end to end through gitops's real StatusPublisher and StatusWriter
// into a Git repository served over HTTP, read back with the git CLI: a node held by a business-hours
// `nodes: "0"` budget is reported once with the budget and when its window ends (not again on the next pass), the
// empty node of another pool is reported as consolidated with the command's sentence, and a pool's rollout
// progress. Expected values: the window written in the NodePool (0 9 * * 1-5 for 12h, Monday 10:00 UTC: active
// until 21:00), the catalog's m5.large on-demand price ($0.096/h) and the node names given. A dry-run command,
// planned again every pass, is reported once.
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { promisify } from "node:util";
import { fixedClock } from "../../../api/ports.ts";
import { DisruptionStatusReport, type DisruptionStatusSink, plan } from "../../../controller/disruption/index.ts";
import { StatusPublisher } from "../../../gitops/index.ts";
import { createStatusWriter } from "../../../gitops/status-writer.ts";
import { silentLogger } from "../../../runtime/index.ts";
import { instanceTypes, nodePool, SnapshotBuilder, typesByPool } from "../../support/disruption-cluster.ts";
import { FakeClock } from "../../support/fake-clock.ts";
import { startGitServer, type GitServer } from "../../support/git-server.ts";

const run = promisify(execFile);
const AUTH = { username: "bot", password: "s3cret-Pa55word" };
const BRANCH = "poolkeeper-status";
const MONDAY_10 = new Date("2026-01-05T10:00:00Z");

async function git(cwd: string, ...args: string[]): Promise<string> {
  const { stdout } = await run("git", ["-c", "user.name=t", "-c", "user.email=t@e", ...args], {
    cwd,
    env: { ...process.env, GIT_TERMINAL_PROMPT: "0" },
  });
  return stdout.trim();
}

let server: GitServer;
let tmp: string;
before(async () => {
  server = await startGitServer({ auth: AUTH });
  tmp = mkdtempSync(join(tmpdir(), "poolkeeper-disruption-status-"));
});
after(async () => {
  await server.stop();
  rmSync(tmp, { recursive: true, force: true });
});

test("blocked nodes, actions and rollout progress land in the status branch as Poolkeeper-Event trailers", async () => {
  server.createBareRepo("status.git");
  const seed = join(tmp, "seed");
  await git(tmp, "init", "--quiet", "--initial-branch=main", seed);
  await git(seed, "commit", "--quiet", "--allow-empty", "-m", "desired state");
  await git(seed, "push", "--quiet", server.url("status.git", AUTH), "main");
  const clock = new FakeClock(MONDAY_10);
  const publisher = new StatusPublisher({
    writer: createStatusWriter({
      url: server.url("status.git"),
      branch: BRANCH,
      path: "status/prod/",
      cacheDir: join(tmp, "cache"),
      author: { name: "poolkeeper", email: "poolkeeper@example.test" },
      credentials: AUTH,
      retries: { max: 3, minBackoffMs: 1, maxBackoffMs: 4 },
      sleep: async () => {},
    }),
    cluster: "prod",
    coalesceMs: 60_000,
    clock,
    logger: silentLogger(),
    retry: { minBackoffMs: 1_000, maxBackoffMs: 60_000 },
    manual: true,
  });
  const sink: DisruptionStatusSink = publisher;

  const types = instanceTypes(["m5.large"]);
  const web = nodePool("web", {
    consolidationPolicy: "WhenEmpty",
    budgets: [{ nodes: "0", schedule: "0 9 * * 1-5", duration: "12h" }],
  });
  const batch = nodePool("batch", { consolidationPolicy: "WhenEmpty", budgets: [{ nodes: "100%" }] });
  const snapshot = new SnapshotBuilder(types)
    .node("web-idle", { pool: "web", type: "m5.large" })
    .node("batch-spare", { pool: "batch", type: "m5.large" })
    .snapshot();
  const desired = { nodePools: [web, batch], commit: "c1f00d5e" };
  const report = new DisruptionStatusReport();
  const planned = plan(snapshot, desired, typesByPool([web, batch], types), fixedClock(MONDAY_10));
  const [command] = planned.commands;
  assert.ok(command);
  for (const event of report.planned(planned, desired.commit)) sink.record(event);
  // The next pass holds the same node for the same reason: nothing new to report.
  assert.deepEqual(report.planned(planned, desired.commit), []);
  for (const event of report.executed({ outcome: "done", command, replacements: [] }, desired.commit)) {
    sink.record(event);
  }
  await publisher.flush();

  const clone = join(tmp, "clone");
  await git(tmp, "clone", "--quiet", "--branch", BRANCH, server.url("status.git", AUTH), clone);
  const trailers = (await git(clone, "log", "--format=%(trailers:key=Poolkeeper-Event,valueonly)", BRANCH))
    .split("\n")
    .filter((line) => line !== "");
  assert.equal(trailers.length, 4);
  const blocked = trailers.filter((t) => t.startsWith("disruption-blocked web web-idle: "));
  assert.equal(blocked.length, 1);
  assert.match(blocked[0] ?? "", /nodes: 0.*0 9 \* \* 1-5 for 12h.*until 21:00 UTC/);
  assert.ok(trailers.includes("rollout web: 1 of 1 nodes on the current template at c1f00d5 (by commit unknown: 1)"));
  assert.ok(trailers.includes("rollout batch: 1 of 1 nodes on the current template at c1f00d5 (by commit unknown: 1)"));
  const consolidated = trailers.filter((t) => t.startsWith("consolidated batch batch-spare: "));
  assert.equal(consolidated.length, 1);
  assert.match(consolidated[0] ?? "", /empty.*batch-spare.*saves \$0\.096\/h/);
});

test("a dry-run command planned again each pass is reported once, as what would be done", () => {
  const types = instanceTypes(["m5.large"]);
  const batch = nodePool("batch", { consolidationPolicy: "WhenEmpty", budgets: [{ nodes: "100%" }] });
  const snapshot = new SnapshotBuilder(types).node("batch-spare", { pool: "batch", type: "m5.large" }).snapshot();
  const report = new DisruptionStatusReport();
  const events = [];
  for (let pass = 0; pass < 3; pass++) {
    const planned = plan(snapshot, { nodePools: [batch] }, typesByPool([batch], types), fixedClock(MONDAY_10), {
      dryRun: true,
    });
    const [command] = planned.commands;
    assert.ok(command?.dryRun);
    events.push(...report.executed({ outcome: "dry-run", command }));
  }
  assert.deepEqual(
    events.map((e) => [e.kind, e.node, e.reason]),
    [["consolidated", "batch-spare", "dry run: would delete 1 empty node (batch-spare): saves $0.096/h"]],
  );
});
