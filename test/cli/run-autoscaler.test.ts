// `poolkeeper run` doing the autoscaler's whole job, end to end in the simulated world through the real adapters
// (client-node over HTTPS to the world's API server, the AWS SDK over HTTP to its EC2, SSM, IAM and SQS, Git over
// HTTP), started through `main` as the CLI starts it, on the world's virtual clock: a commit adds a NodePool, run
// applies it, 50 pending pods get nodes that the world's scheduler binds them to, and the status branch records each
// launch with a `Poolkeeper-Event: provisioned` trailer under the source commit; then a spot interruption warning
// on one of those nodes: it is drained and its pods run elsewhere — on a replacement that run's own Provisioner
// launched — before the world reclaims the instance 2 minutes after the notice. Expected values come from the
// world (bindings, instances, the queue) and from arithmetic over the catalog: an m5.xlarge allocates 3,920m CPU
// (Karpenter's published figure), four 900m pods, so 50 pods take 13 nodes, the last with two.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { join } from "node:path";
import { parse } from "yaml";
import { parseQuantity } from "../../api/index.ts";
import type { KubeObject } from "../../sim/index.ts";
import { gitCli } from "../support/pool-repo.ts";
import {
  appDeployment,
  NODE_CLASS,
  NODE_POOL,
  QUEUE,
  startRunWorld,
  STATUS_BRANCH,
  type RunningPoolkeeper,
  type RunWorld,
} from "../support/run-world.ts";

const PODS = 50;

type Pod = KubeObject & { spec?: { nodeName?: string }; status?: { phase?: string } };
type Claim = KubeObject & { status?: { providerID?: string; nodeName?: string } };

let w: RunWorld;
let run: RunningPoolkeeper;
let poolCommit: string;

const pods = () =>
  (w.list("", "v1", "pods", "default") as Pod[]).filter((p) => p.metadata?.deletionTimestamp === undefined);
const running = () => pods().filter((p) => p.spec?.nodeName !== undefined && p.status?.phase === "Running");
const claims = () => w.list("karpenter.sh", "v1", "nodeclaims") as Claim[];
const trailers = (message: string, key: string) =>
  message
    .split("\n")
    .filter((line) => line.startsWith(`${key}: `))
    .map((line) => line.slice(key.length + 2));

/** Reads the status branch, moving the clock a second at a time until `done` holds of its commit messages. */
async function statusUntil(done: (messages: string[]) => boolean | Promise<boolean>, what: string): Promise<string[]> {
  for (let second = 0; second < 120; second++) {
    const messages = await w.statusCommits();
    if (await done(messages)) return messages;
    w.clock.step(1_000);
    await w.until(() => true, what);
  }
  assert.fail(`${what}: not within 2 minutes of simulated time`);
}

before(async () => {
  w = await startRunWorld({ interruptionQueue: true });
  await w.commit("pools: the node class", { "pools/nodeclass.yaml": NODE_CLASS });
  run = await w.startRun(["--interruption-queue", QUEUE, "--leader-election-name", "poolkeeper-e2e"]);
});
after(async () => {
  if (process.env.RUN_LOG) for (const l of run?.lines ?? []) console.error(JSON.stringify(l));
  await w?.stop();
});

describe("poolkeeper run, as the autoscaler", () => {
  test("a commit that adds a NodePool is applied to the cluster", async () => {
    await w.until(() => w.list("karpenter.k8s.aws", "v1", "ec2nodeclasses").length === 1, "the EC2NodeClass applied");
    poolCommit = await w.commit("pools: the default pool", { "pools/nodepool.yaml": NODE_POOL });
    await w.until(() => w.list("karpenter.sh", "v1", "nodepools").length === 1, "the NodePool applied", {
      limitMs: 60_000,
    });
    const [pool] = w.list("karpenter.sh", "v1", "nodepools");
    const managers = (pool?.metadata?.managedFields as { manager?: string; operation?: string }[]) ?? [];
    assert.ok(
      managers.some((m) => m.manager === "poolkeeper" && m.operation === "Apply"),
      "server-side applied",
    );
  });

  test("50 pending pods get nodes the world's scheduler binds them to", async () => {
    w.world.store.create(w.world.kind("apps", "v1", "deployments"), "default", appDeployment(PODS));
    await w.until(() => pods().length === PODS, "the ReplicaSet's pods", { limitMs: 60_000 });
    const took = await w.until(() => running().length === PODS, `${PODS} pods running`, { limitMs: 5 * 60_000 });
    assert.ok(took >= 60_000, `the nodes took the world's boot delay: ${took} ms`);
    assert.equal(claims().length, 13, "13 m5.xlarge NodeClaims: 4 pods of 900m each on 3,920m, 50 pods");
    const instances = w.world.cloud.instances().filter((i) => w.world.cloud.stateOf(i) === "running");
    assert.equal(instances.length, 13);
    assert.ok(instances.every((i) => i.instanceType === "m5.xlarge" && i.capacityType === "spot"));
    const nodes = new Set(running().map((p) => p.spec?.nodeName));
    assert.equal(nodes.size, 13);
    assert.ok(!run.lines.some((l) => /forbidden/i.test(JSON.stringify(l))), "no request refused");
  });

  test("the status branch records each launch as a provisioned event under the source commit", async () => {
    const launched = claims().map((c) => c.metadata?.name ?? "");
    const isProvisioned = (e: string) => e.startsWith("provisioned ");
    const commits = await statusUntil(
      (all) => all.flatMap((m) => trailers(m, "Poolkeeper-Event")).filter(isProvisioned).length >= launched.length,
      "every launch in the status branch",
    );
    const withLaunches = commits.filter((m) => trailers(m, "Poolkeeper-Event").some(isProvisioned));
    for (const message of withLaunches) assert.deepEqual(trailers(message, "Poolkeeper-Source"), [poolCommit]);
    const provisioned = withLaunches.flatMap((m) => trailers(m, "Poolkeeper-Event")).filter(isProvisioned);
    assert.deepEqual(
      provisioned.map((e) => e.slice(0, e.indexOf(":"))).sort(),
      launched.map((name) => `provisioned default ${name}`).sort(),
      "one provisioned event per NodeClaim",
    );
    for (const event of provisioned) {
      assert.match(
        event,
        /: launched m5\.xlarge spot in us-west-2[abc] at \$\d+\.\d{4}\/h \(pool now \$\d+\.\d{4}\/h\) for [1-4] pods?: default\/app-/,
      );
    }
  });

  test("the pool's status file says what it runs: nodes by type, zone and capacity type, capacity used, $/h", async () => {
    // The world's own records: its running instances of the pool (type, zone, capacity type, the price each was
    // launched at) and its Nodes' capacity, which Karpenter's NodePool counter sums into status.resources.
    const instances = w.world.cloud
      .instances()
      .filter((i) => w.world.cloud.stateOf(i) === "running")
      .filter((i) => i.tags.some((t) => t.key === "karpenter.sh/nodepool" && t.value === "default"));
    const count = (key: (i: (typeof instances)[number]) => string) =>
      Object.fromEntries(
        [...Map.groupBy(instances, key)]
          .map(([k, list]) => [k, list.length] as const)
          .sort(([a], [b]) => (a < b ? -1 : 1)),
      );
    type WorldNode = KubeObject & {
      metadata?: { labels?: Record<string, string> };
      status?: { capacity?: Record<string, string> };
    };
    const nodes = (w.list("", "v1", "nodes") as WorldNode[]).filter(
      (n) => n.metadata?.labels?.["karpenter.sh/nodepool"] === "default",
    );
    const total = (resource: string) =>
      nodes.reduce((sum, n) => sum + parseQuantity(n.status?.capacity?.[resource] ?? "0").nanos, 0n);
    const cost = instances.reduce((sum, i) => sum + i.priceUsd, 0);
    // Fresh figures ride on the next status commit (an event's): the files are as fresh as their last event.
    let pool: Record<string, unknown> = {};
    await statusUntil(async () => {
      const file = await gitCli(join(w.git.root, "pools.git"), "show", `${STATUS_BRANCH}:status/prod/default.yaml`);
      pool = (parse(file) as { pool: Record<string, unknown> }).pool;
      // Until a node has initialized its capacity is its NodeClaim's estimate (as Karpenter's StateNode counts it):
      // wait for a commit made once every Node reports its own.
      const usage = pool["usage"] as { nodes?: number; memory?: string } | undefined;
      return usage?.nodes === instances.length && parseQuantity(usage.memory ?? "0").nanos === total("memory");
    }, "the status file counting every node at its Node's capacity");
    assert.deepEqual(pool["nodes"], {
      byInstanceType: count((i) => i.instanceType),
      byZone: count((i) => i.zone),
      byCapacityType: count((i) => i.capacityType),
    });
    const usage = pool["usage"] as { cpu: string; memory: string; nodes: number };
    assert.equal(usage.nodes, 13);
    assert.equal(parseQuantity(usage.cpu).nanos, total("cpu"), `cpu ${usage.cpu}`);
    assert.equal(parseQuantity(usage.memory).nanos, total("memory"), `memory ${usage.memory}`);
    assert.equal((pool["hourlyCostUsd"] as number).toFixed(4), cost.toFixed(4));
    assert.equal(pool["unpricedNodes"], undefined, "every node priced");
  });

  test("a spot interruption warning: drained, and its pods run on a replacement run launched before the 2 minutes", async () => {
    // A full node (four pods): two of them fit on the node with two, the other two need new capacity.
    const byNode = new Map<string, number>();
    for (const pod of running()) byNode.set(pod.spec?.nodeName ?? "", (byNode.get(pod.spec?.nodeName ?? "") ?? 0) + 1);
    const full = claims().find((c) => byNode.get(c.status?.nodeName ?? "") === 4);
    assert.ok(full?.status?.providerID, "a full node");
    const node = full.status.nodeName ?? "";
    const instanceId = full.status.providerID.split("/").at(-1) ?? "";
    const before = new Set(claims().map((c) => c.metadata?.name));
    const notice = w.clock.now().getTime();
    w.events.spotInterruption(instanceId);

    await w.until(
      () => !running().some((p) => p.spec?.nodeName === node) && running().length === PODS,
      "every pod running again, none on the interrupted node",
      { limitMs: 3 * 60_000 },
    );
    const movedIn = w.clock.now().getTime() - notice;
    assert.ok(movedIn < 120_000, `all pods ran elsewhere ${movedIn} ms after the notice, before the 2 minutes`);
    const replacements = claims().filter((c) => !before.has(c.metadata?.name));
    assert.equal(replacements.length, 1, "one replacement NodeClaim");
    const replacement = replacements[0] as Claim;
    assert.equal((replacement.metadata?.labels as Record<string, string>)["karpenter.sh/nodepool"], "default");
    assert.ok(
      running().some((p) => p.spec?.nodeName === replacement.status?.nodeName),
      "pods run on the replacement",
    );
    const counts = w.served.aws.queues.byName(QUEUE).counts();
    assert.equal(counts.visible + counts.inFlight + counts.delayed, 0, "the message deleted");

    // The world reclaims the instance at 2 minutes; the termination finishes and is reported.
    await w.until(
      () => claims().every((c) => c.metadata?.name !== full.metadata?.name),
      "the interrupted NodeClaim gone",
      { limitMs: 3 * 60_000 },
    );
    const drainedEvent = (all: string[]) =>
      all.flatMap((m) => trailers(m, "Poolkeeper-Event")).find((e) => e.startsWith(`drained default ${node}:`));
    const drained = drainedEvent(await statusUntil((all) => drainedEvent(all) !== undefined, "the drain reported"));
    assert.match(drained ?? "", new RegExp(`spot_interrupted for instance ${instanceId}: 4 pod\\(s\\) moved`));
    const events = (await w.statusCommits()).flatMap((m) => trailers(m, "Poolkeeper-Event"));
    assert.ok(
      events.some((e) => e.startsWith(`interrupted default ${node}`)),
      events.join("\n"),
    );
  });
});
