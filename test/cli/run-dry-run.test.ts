// `poolkeeper run --dry-run` end to end in the simulated world through the real adapters (client-node over HTTPS,
// the AWS SDK over HTTP, Git over HTTP), started through `main`, on the world's virtual clock. First a normal run
// applies a pool from Git and launches a node for two pods: its NodeClaim records the pool's Git commit
// (`poolkeeper.dev/source-commit`) and the status branch reports rollout progress by that commit. Then the run
// stops, the app scales to zero, and a run with --dry-run finds the node empty: the status branch says what it would
// do (a `consolidated` event: "dry run: would delete …"), the Node and NodePool get a DisruptionDryRun Event, and
// nothing is tainted or deleted. Scaled up beyond the node, the pods that do not fit get a would-be launch in the
// status branch, and nothing is launched. Expected values come from the world (objects, instances, CreateFleet
// calls), the commits the test made, and the catalog's arithmetic (an m5.xlarge allocates 3,920m: four 900m pods).
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import type { KubeObject } from "../../sim/index.ts";
import {
  appDeployment,
  NODE_CLASS,
  NODE_POOL,
  startRunWorld,
  type RunningPoolkeeper,
  type RunWorld,
} from "../support/run-world.ts";

type Claim = KubeObject & { status?: { nodeName?: string } };
type Pod = KubeObject & { spec?: { nodeName?: string }; status?: { phase?: string } };

let w: RunWorld;
let run: RunningPoolkeeper | undefined;
let poolCommit: string;
let node: string;

const claims = () => w.list("karpenter.sh", "v1", "nodeclaims") as Claim[];
const pods = () =>
  (w.list("", "v1", "pods", "default") as Pod[]).filter((p) => p.metadata?.deletionTimestamp === undefined);
const running = () => pods().filter((p) => p.spec?.nodeName !== undefined && p.status?.phase === "Running");
const liveInstances = () => w.world.cloud.instances().filter((i) => w.world.cloud.stateOf(i) !== "terminated");
const trailers = (messages: string[]) =>
  messages.flatMap((m) =>
    m
      .split("\n")
      .filter((line) => line.startsWith("Poolkeeper-Event: "))
      .map((line) => line.slice("Poolkeeper-Event: ".length)),
  );

/** Moves the clock a second at a time until an event trailer in the status branch matches. */
async function statusEvent(pattern: RegExp, what: string): Promise<string> {
  for (let second = 0; second < 180; second++) {
    const found = trailers(await w.statusCommits()).find((e) => pattern.test(e));
    if (found !== undefined) return found;
    w.clock.step(1_000);
    await w.until(() => true, what);
  }
  assert.fail(`${what}: not within 3 minutes of simulated time`);
}

function scale(replicas: number): void {
  const kind = w.world.kind("apps", "v1", "deployments");
  const current = w.world.store.get(kind, "default", "app");
  w.world.store.update(kind, "default", "app", { ...current, spec: { ...(current.spec as object), replicas } });
}

before(async () => {
  w = await startRunWorld();
});
after(async () => {
  await w?.stop();
});

describe("poolkeeper run --dry-run", () => {
  test("a normal run's NodeClaim records the pool's Git commit, and rollout progress counts by it", async () => {
    poolCommit = await w.commit("pools: the default pool", {
      "pools/nodeclass.yaml": NODE_CLASS,
      "pools/nodepool.yaml": NODE_POOL.replace("consolidateAfter: 1h", "consolidateAfter: 0s"),
    });
    run = await w.startRun([]);
    await w.until(() => w.list("karpenter.sh", "v1", "nodepools").length === 1, "the NodePool applied");
    w.world.store.create(w.world.kind("apps", "v1", "deployments"), "default", appDeployment(2));
    await w.until(() => running().length === 2, "two pods running", { limitMs: 5 * 60_000 });
    assert.equal(claims().length, 1, "two 900m pods fit one m5.xlarge");
    const [claim] = claims();
    node = claim?.status?.nodeName ?? "";
    const annotations = (claim?.metadata?.annotations ?? {}) as Record<string, string>;
    assert.equal(annotations["poolkeeper.dev/source-commit"], poolCommit);
    const short = poolCommit.slice(0, 7);
    await statusEvent(
      new RegExp(`^rollout default: 1 of 1 nodes on the current template at ${short} \\(by commit ${short}: 1\\)$`),
      "rollout progress by commit",
    );
    assert.equal(await run.stop(), 0);
    run = undefined;
  });

  test("--dry-run reports the empty node's would-be deletion and touches nothing", async () => {
    scale(0);
    await w.until(() => pods().length === 0, "the pods gone");
    run = await w.startRun(["--dry-run"]);
    const event = await statusEvent(/^consolidated default /, "the would-be deletion in the status branch");
    assert.match(
      event,
      new RegExp(`^consolidated default ${node.replace(/\./g, "\\.")}: dry run: would delete 1 empty node \\(`),
    );
    type Event = KubeObject & { reason?: string; message?: string; involvedObject?: { kind?: string; name?: string } };
    const dryRunEvents = (w.list("", "v1", "events") as Event[]).filter((e) => e.reason === "DisruptionDryRun");
    assert.deepEqual(
      // One Event each, repeated passes counted on it (the first pass waited for the spot prices, so all agree).
      dryRunEvents.map((e) => `${e.involvedObject?.kind}/${e.involvedObject?.name}`).sort(),
      [`Node/${node}`, "NodePool/default"].sort(),
    );
    for (const e of dryRunEvents) assert.match(e.message ?? "", /^would delete 1 empty node \(/);
    // A minute of passes: planned every 10 s, carried out never.
    const reported = w.clock.now().getTime();
    await w.until(() => w.clock.now().getTime() >= reported + 60_000, "a minute of passes");
    const [claim] = claims();
    assert.equal(claims().length, 1);
    assert.equal(claim?.metadata?.deletionTimestamp, undefined, "the NodeClaim is not deleted");
    const conditions = ((claim?.status as { conditions?: { type: string }[] })?.conditions ?? []).map((c) => c.type);
    assert.ok(!conditions.includes("DisruptionReason"), "no DisruptionReason");
    const [nodeObject] = w.list("", "v1", "nodes");
    const taints = ((nodeObject?.spec as { taints?: { key: string }[] })?.taints ?? []).map((t) => t.key);
    assert.ok(!taints.includes("karpenter.sh/disrupted"), `not tainted: ${taints.join(", ")}`);
    assert.equal(liveInstances().length, 1);
  });

  test("--dry-run reports the launch pods would need, and launches nothing", async () => {
    // Six pods: four fit the existing m5.xlarge (the world's scheduler binds them), two need another node.
    scale(6);
    await w.until(() => running().length === 4 && pods().length === 6, "four pods running, two pending", {
      limitMs: 2 * 60_000,
    });
    const event = await statusEvent(/^provisioned default dry-run: /, "the would-be launch in the status branch");
    assert.match(
      event,
      /^provisioned default dry-run: dry run: would launch m5\.xlarge spot at \$\d+\.\d{4}\/h for 2 pods: default\/app-/,
    );
    assert.equal(claims().length, 1, "no NodeClaim created");
    assert.equal(liveInstances().length, 1, "no instance launched");
    assert.equal(pods().filter((p) => p.spec?.nodeName === undefined).length, 2, "the two pods stay pending");
    assert.equal(await run?.stop(), 0);
    run = undefined;
  });
});
