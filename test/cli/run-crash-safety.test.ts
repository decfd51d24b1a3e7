// Crash safety of `poolkeeper run` (issue 25, item 4): the program runs as its own process against the simulated
// world on its scaled clock (POOLKEEPER_SIM_CLOCK), with pods arriving and leaving, spot interruptions and
// consolidation going on, and is killed with SIGKILL at least 50 times — after a random delay, or at a line of a
// dangerous window: a moment after the provisioner decided to launch (so inside the launch), an interruption message
// taken, a status commit, a disruption command — and started again each time. The kill goes to the replica's process
// group (its forked Git process dies with it, as in a container), and every wait on a replica is bounded by a guard
// that fails naming the pid, the /proc state of each of its processes and its last log lines. The kill points come
// from a seeded generator whose seed is printed (CRASH_SEED=… replays one; CRASH_KILLS=… sets how many). Then one
// last run settles the world, and everything is judged from the world's own records: the instances EC2 launched
// (with their tags), the NodeClaims the API server stored (a watch over the whole test), the messages the queue
// deleted and when, and the status branch in the repository. It prints how many kills landed inside a launch, the
// launches, interruptions and consolidations it saw.
// The world's region has five instance types, so a new replica's discovery (types, offerings, spot prices) is cheap
// and it launches within its life. A life lasts seconds of simulated time — a short lease and short kill delays —
// so that fifty kills fit in CI's budget; what happens across lives (boots, notices, consolidation) spans many of
// them. Either replica may win the Lease (the one started later too), so the one that leads is killed; on a loaded
// machine a stalled leader may still act for a moment beside its successor. A failure names, for each lost or
// repeated event, every life whose log names the object, how that life ended, the last step it logged about it and
// whether its status commits reached the branch. Part of `npm test` with a new seed each run;
// `npm run scenario:crash-safety` runs it alone (CRASH_LOG=file keeps every life's log and the repository).
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { cpSync, writeFileSync } from "node:fs";
import type { KubeObject, ServedWorld, World } from "../../sim/index.ts";
import { seededRandom } from "../support/json-mutation.ts";
import { gitCli } from "../support/pool-repo.ts";
import { startPoolkeeper, type PoolkeeperProcess } from "../support/poolkeeper-process.ts";
import { startProcessWorld, type ProcessWorld } from "../support/run-process-world.ts";
import { appDeployment, CLUSTER, QUEUE, STATUS_BRANCH } from "../support/run-world.ts";
import { kindOf } from "../support/sim-world.ts";

/** Simulated seconds per wall second: a 60 s boot is 6 s, a lease or a GC grace period a few seconds. */
const FACTOR = 10;
const KILLS = Number(process.env.CRASH_KILLS ?? 50);
const SEED = Number(process.env.CRASH_SEED ?? Date.now() % 1_000_000);

/**
 * A small region: a new replica discovers its instance types, offerings and spot prices before it launches anything,
 * which for the full catalog's 1,364 types took seconds of CPU — longer than most lives lead on a loaded machine.
 */
const REGION_INSTANCE_TYPES = ["c5.xlarge", "m5.large", "m5.xlarge", "m5.2xlarge", "r5.xlarge"];

/**
 * WhenEmptyOrUnderutilized consolidation after 5 s, so scale-downs leave nodes empty or under-used that the
 * disruption loop then removes or replaces: a life leads for seconds, and a node must stay consolidatable that long
 * before one leader's pass.
 */
const NODE_POOL = `apiVersion: karpenter.sh/v1
kind: NodePool
metadata:
  name: default
spec:
  template:
    spec:
      nodeClassRef:
        group: karpenter.k8s.aws
        kind: EC2NodeClass
        name: default
      requirements:
        - key: karpenter.sh/capacity-type
          operator: In
          values: ["spot"]
        - key: node.kubernetes.io/instance-type
          operator: In
          values: ["m5.xlarge"]
      expireAfter: 720h
  limits:
    cpu: "1000"
  disruption:
    consolidationPolicy: WhenEmptyOrUnderutilized
    consolidateAfter: 5s
    budgets:
      - nodes: "50%"
`;

const POOLKEEPER_YAML = `apiVersion: poolkeeper.dev/v1alpha1
kind: PoolkeeperConfig
spec:
  cluster: ${CLUSTER}
  pollInterval: 10s
  coalesce: 0s
  controller:
    leaseDuration: 8s
    renewDeadline: 5s
    retryPeriod: 1s
`;

type Pod = KubeObject & { spec?: { nodeName?: string }; status?: { phase?: string } };
type Claim = KubeObject & { status?: { providerID?: string; nodeName?: string } };
type Json = Record<string, unknown>;

let w: ProcessWorld;
let clock: ProcessWorld["clock"];
let world: World;
let served: ServedWorld;
let repo: string;
const next = seededRandom(SEED);
/** Each life is a new replica (a new pod): its own cache directory, as after a pod's restart. */
let replicas = 0;
const runArgs = () => w.runArgs(`life-${replicas++}`);

before(async () => {
  console.log(`crash-safety seed ${SEED} (CRASH_SEED=${SEED} replays it)`);
  w = await startProcessWorld({
    factor: FACTOR,
    seed: SEED,
    nodePool: NODE_POOL,
    config: POOLKEEPER_YAML,
    instanceTypes: REGION_INSTANCE_TYPES,
  });
  ({ clock, world, served, repo } = w);
});

after(async () => {
  // With CRASH_LOG the repository (pools and status branch) is kept beside the log, to trace a lost event.
  if (process.env.CRASH_LOG && repo !== undefined) cpSync(repo, `${process.env.CRASH_LOG}.repo`, { recursive: true });
  await w?.stop();
});

const deployments = () => kindOf(world.store, "apps", "v1", "deployments");
const pods = () =>
  (world.store.list(kindOf(world.store, "", "v1", "pods"), { namespace: "default" }).items as Pod[]).filter(
    (p) => p.metadata?.deletionTimestamp === undefined,
  );
const claims = () => world.store.list(kindOf(world.store, "karpenter.sh", "v1", "nodeclaims"), {}).items as Claim[];
const tag = (tags: { key: string; value: string }[], key: string) => tags.find((t) => t.key === key)?.value;
const ours = () => world.cloud.instances().filter((i) => tag(i.tags, `kubernetes.io/cluster/${CLUSTER}`) !== undefined);

function scale(replicas: number): void {
  const current = world.store.get(deployments(), "default", "app");
  world.store.update(deployments(), "default", "app", {
    ...current,
    spec: { ...(current.spec as object), replicas },
  });
}

/** What the test did to the world, each with the simulated time it was done. */
const actions: string[] = [];
/** The instances the test had EC2 interrupt, with when (simulated epoch ms). */
const interrupted = new Map<string, number>();

function disturb(): void {
  const roll = next();
  if (roll < 0.35) {
    const replicas = 2 + Math.floor(next() * 30);
    scale(replicas);
    actions.push(`scale to ${replicas}`);
  } else if (roll < 0.6) {
    const running = ours().filter((i) => world.cloud.stateOf(i) === "running");
    const victim = running[Math.floor(next() * running.length)];
    if (victim === undefined) return;
    served.aws.events.spotInterruption(victim.id);
    interrupted.set(victim.id, clock.now().getTime());
    actions.push(`spot interruption of ${victim.id}`);
  }
}

const DECIDED = "computed new nodeclaim(s) to fit pod(s)";
/** The lines that end one NodeClaim of a launch: launched, or given up (the next leader finishes it). */
const LAUNCH_ENDS = new Set(["launched nodeclaim", "launching nodeclaim failed", "creating nodeclaim failed"]);

/**
 * Log lines of the dangerous windows, each awaited up to `withinMs` of simulated time after the kill delay: a launch
 * (the provisioner's decision to create NodeClaims, after which they are created and launched — the kill comes a
 * moment later, inside it), an interruption message being handled, a status commit, a disruption command (logged
 * once carried out: it waits 15 s for its validation first, Karpenter's consolidation TTL, so a life that is to see
 * one leads longer).
 */
const DANGEROUS: { what: string; match: (line: Json) => boolean; withinMs: number }[] = [
  { what: "a launch", match: (l) => l.msg === DECIDED && Number(l.nodeClaims) > 0, withinMs: 4_000 },
  { what: "an interruption", match: (l) => /interrupt/i.test(String(l.msg)), withinMs: 4_000 },
  { what: "a status commit", match: (l) => l.msg === "status committed and pushed", withinMs: 4_000 },
  { what: "a disruption", match: (l) => typeof l.command === "string", withinMs: 20_000 },
];

/** Whether a life's log ends inside a launch: its last decision to create NodeClaims not yet ended for each. */
function insideLaunch(lines: Json[]): boolean {
  const decided = lines.findLastIndex((l) => l.msg === DECIDED && Number(l.nodeClaims) > 0);
  if (decided < 0) return false;
  const ended = lines.slice(decided).filter((l) => LAUNCH_ENDS.has(String(l.msg))).length;
  return ended < Number((lines[decided] as Json).nodeClaims);
}

interface Life {
  run: PoolkeeperProcess;
  killedAt: string;
  /** Killed while NodeClaims it had decided to create were being created or launched. */
  inLaunch?: boolean;
}

/** Every replica started, in order; a failure names them by index ("life 7"). */
const lives: Life[] = [];

const PHASE = /^controller manager (leading|standby|passive)$/;
const phaseOf = (run: PoolkeeperProcess) => run.lines.findLast((l) => PHASE.test(String(l.msg)))?.msg;

/**
 * The replica that leads, once one does: whichever of the two won the Lease — the one started later may win it
 * while the earlier one is still loading, and a test waiting for the other would wait for ever.
 */
async function leaderOf(replicas: PoolkeeperProcess[]): Promise<PoolkeeperProcess> {
  for (;;) {
    const leader = replicas.find((r) => phaseOf(r) === "controller manager leading");
    if (leader !== undefined) return leader;
    await Promise.race(replicas.map((r) => r.line((l) => PHASE.test(String(l.msg)), "a phase", r.lines.length)));
  }
}

/**
 * Lets the leading `run` act until a kill point the generator chooses — a random delay, or the first line of a
 * dangerous window (bounded by the delay), for a launch a random moment after it — and kills it with SIGKILL, its
 * process group with it (its forked Git process too, as a container's death takes every process in it). The next
 * replica was started beside it and stands by, so its start-up overlaps this life; it takes over once the lease
 * expires. Returns where it was killed, once its log is complete (its output closed).
 */
async function killPoint(life: PoolkeeperProcess, index: number): Promise<Omit<Life, "run">> {
  // Delays in the world's (simulated) time: up to 6 s, a window's line awaited `withinMs` more.
  const delayMs = Math.floor(next() * 6_000);
  // A launch twice as often as each other window: it needs pending pods, which only some disturbances make.
  const pick = Math.floor(next() * (DANGEROUS.length + 1));
  const window = DANGEROUS[pick >= DANGEROUS.length ? 0 : pick] as (typeof DANGEROUS)[number];
  // A launch takes a few simulated seconds (NodeClaims created, CreateFleet, the NodeClaim written back).
  const intoLaunchMs = Math.floor(next() * 3_000);
  let killedAt = `after ${delayMs} simulated ms`;
  if (next() < 0.7) {
    const from = life.lines.length;
    const seen = await Promise.race([
      life.line(window.match, window.what, from).then(() => true),
      clock.sleep(delayMs + window.withinMs).then(() => false),
      life.exit().then(() => false),
    ]);
    killedAt = seen
      ? `at ${window.what}`
      : `after ${delayMs + window.withinMs} simulated ms (waited for ${window.what} in vain)`;
    if (seen && window.what === "a launch") {
      await Promise.race([clock.sleep(intoLaunchMs), life.exit()]);
      killedAt = `${intoLaunchMs} simulated ms into a launch`;
    }
  } else {
    await Promise.race([clock.sleep(delayMs), life.exit()]);
  }
  await life.kill("SIGKILL");
  await life.stdioClosed();
  const inLaunch = insideLaunch(life.lines);
  if (index % 10 === 0) console.log(`kill ${index}: ${killedAt}${inLaunch ? " (inside a launch)" : ""}`);
  return { killedAt, inLaunch };
}

test(`poolkeeper run killed ${KILLS} times at random points loses, leaks and repeats nothing`, async () => {
  // Every NodeClaim the API server ever stored, from a watch over the whole test.
  const seen: Seen = { claims: new Map(), terminating: new Map() };
  const nodeClaimKind = kindOf(world.store, "karpenter.sh", "v1", "nodeclaims");
  const watch = world.store.watch(nodeClaimKind, { resourceVersion: String(world.store.resourceVersion) }, (e) => {
    if (e.type === "BOOKMARK") return;
    const name = String(e.object.metadata?.name ?? "");
    // A deleted object's last version is kept: what it launched still counts.
    if (e.type !== "DELETED" || !seen.claims.has(name)) seen.claims.set(name, e.object as Claim);
    if ((e.type === "DELETED" || e.object.metadata?.deletionTimestamp !== undefined) && !seen.terminating.has(name)) {
      seen.terminating.set(name, clock.now().getTime());
    }
  });
  const start = () => {
    const run = startPoolkeeper(runArgs(), w.env);
    lives.push({ run, killedAt: "" });
    return run;
  };
  try {
    // The first run applies the pools and launches for the first pods before the kills begin; a second replica is
    // always loading or standing by, so its start-up overlaps the leader's life.
    const first = start();
    // Pods come once the NodePool is applied: run's provisioner decides when pods change, and pods that found no pool
    // wait for the next change (Karpenter's pod controller asks again every 10 s: provisioning/controller.go).
    await first.line((l) => l.kind === "NodePool" && l.msg === "created from Git", "the NodePool applied", 0);
    world.store.create(deployments(), "default", appDeployment(12));
    actions.push("deployment of 12");
    await first.line((l) => l.msg === "launched nodeclaim", "the first launch", 0);
    let replicas = [first, start()];
    for (let kill = 1; kill <= KILLS; kill++) {
      disturb();
      const leader = await leaderOf(replicas);
      Object.assign(lives.find((l) => l.run === leader) as Life, await killPoint(leader, kill));
      replicas = [...replicas.filter((r) => r !== leader), start()];
    }
    // The last leader settles the world: every pod running, every interrupted instance replaced, empty nodes gone.
    const last = await leaderOf(replicas);
    (lives.find((l) => l.run === last) as Life).killedAt = "never: the last leader, stopped with SIGTERM";
    for (const other of replicas.filter((r) => r !== last)) {
      await other.kill("SIGKILL");
      (lives.find((l) => l.run === other) as Life).killedAt = "as the last leader settled the world";
    }
    scale(16);
    await settled(last);
    assert.equal(await last.kill("SIGTERM"), 0, last.stderr());
  } finally {
    if (process.env.CRASH_LOG) {
      const text = lives.map((l, i) =>
        [`== life ${i}: killed ${l.killedAt}`, ...l.run.lines.map((j) => JSON.stringify(j)), l.run.stderr()].join("\n"),
      );
      writeFileSync(process.env.CRASH_LOG, text.join("\n"));
    }
    watch.stop();
    await Promise.allSettled(lives.map((life) => life.run.kill("SIGKILL")));
  }
  await judge(seen);
});

/** Waits (on events: log lines, the world's state) until the world has settled; bounded in simulated time. */
async function settled(run: PoolkeeperProcess): Promise<void> {
  const start = clock.now().getTime();
  for (;;) {
    const all = pods();
    const pending = all.filter((p) => p.spec?.nodeName === undefined || p.status?.phase !== "Running");
    const live = claims();
    const instances = ours().filter((i) => ["pending", "running"].includes(world.cloud.stateOf(i)));
    // Settled means what the judge checks: every instance running (not still pending), and no interruption notice
    // waiting in the queue — a warning not yet taken would reclaim a running instance after the last leader stopped.
    const queue = served.aws.queues.byName(QUEUE).counts();
    const quiet =
      all.length === 16 &&
      pending.length === 0 &&
      live.every((c) => c.metadata?.deletionTimestamp === undefined && c.status?.providerID !== undefined) &&
      instances.length === live.length &&
      instances.every((i) => world.cloud.stateOf(i) === "running") &&
      queue.visible + queue.inFlight + queue.delayed === 0;
    if (quiet) return;
    if (clock.now().getTime() - start > (Number(process.env.CRASH_SETTLE_MIN) || 20) * 60_000) {
      assert.fail(
        `not settled within 20 minutes of simulated time: ${all.length} pods, ${pending.length} pending, ` +
          `${live.length} NodeClaims, ${instances.length} live instances\n${run.stderr()}\n` +
          run.lines
            .slice(-40)
            .map((l) => JSON.stringify(l))
            .join("\n"),
      );
    }
    // The world moves on its own clock; look again two simulated seconds later.
    await clock.sleep(2_000);
  }
}

/**
 * Where an object went, for a failure's message: each life whose log names it (the NodeClaim, its instance), how
 * that life ended, the last step it logged about the object, and the status commits it made from then on (each in
 * the branch or not) — so a CI log alone says which incarnation held the lost event and what became of it.
 */
function trace(branch: ReadonlySet<string>, ...names: string[]): string {
  const found: string[] = [];
  lives.forEach((life, index) => {
    const lines = life.run.lines;
    const about = lines.flatMap((l, i) => (names.some((n) => JSON.stringify(l).includes(n)) ? [i] : []));
    const last = about.at(-1);
    if (last === undefined) return;
    const step = lines[last] as Json;
    const detail = Object.entries(step)
      .filter(([key]) => !["level", "pid", "hostname", "name", "msg", "time"].includes(key))
      .map(([key, value]) => `${key}=${JSON.stringify(value)}`)
      .join(" ")
      .slice(0, 300);
    const commits = lines
      .slice(last)
      .filter((l) => l.msg === "status committed and pushed")
      .map((l) => `${String(l.sha).slice(0, 7)}${branch.has(String(l.sha)) ? "" : " (not in the branch)"}`);
    const phases = lines.filter((l) => PHASE.test(String(l.msg))).map((l) => String(l.msg).split(" ").at(-1));
    found.push(
      `  life ${index} (pid ${life.run.child.pid}, ${phases.join("→") || "no phase"}, killed ${life.killedAt || "before leading"}): ` +
        `${about.length} line(s) name it; last step ${JSON.stringify(step.msg)} at ${String(step.time)} ${detail}; ` +
        `status commits after it: ${commits.join(", ") || "none"}`,
    );
  });
  return found.length === 0 ? "  named in no life's log" : found.join("\n");
}

/** The status branch's events, read by git's own trailer parser (`%(trailers)`), oldest first. */
async function statusEvents(): Promise<string[]> {
  const log = await gitCli(
    repo,
    "log",
    "--reverse",
    "--format=%(trailers:key=Poolkeeper-Event,valueonly)",
    STATUS_BRANCH,
  );
  return log.split("\n").filter((line) => line.trim() !== "");
}

interface Seen {
  /** Every version of each NodeClaim the API server stored, by name, the latest last. */
  claims: Map<string, Claim>;
  /** When (the world's clock) each NodeClaim first had a deletionTimestamp or was gone. */
  terminating: Map<string, number>;
}

async function judge(seen: Seen): Promise<void> {
  const problems: string[] = [];
  const all = ours();
  // No duplicate instance for one NodeClaim: EC2's own record of every launch, by the tag run gave it.
  const byClaim = new Map<string, string[]>();
  let relaunched = 0;
  for (const instance of all) {
    const claim = tag(instance.tags, "karpenter.sh/nodeclaim");
    if (claim === undefined) problems.push(`instance ${instance.id} carries no karpenter.sh/nodeclaim tag`);
    else byClaim.set(claim, [...(byClaim.get(claim) ?? []), instance.id]);
  }
  for (const [claim, ids] of byClaim) {
    // An instance EC2 reclaimed (the test's spot interruption) before its NodeClaim recorded it is gone: launching
    // again for that NodeClaim after the interruption is right, and no duplicate. Any other second instance is.
    const launchedAt = (id: string) => all.find((i) => i.id === id)?.launchedAt ?? 0;
    const reclaimed = (id: string) => ids.some((other) => launchedAt(other) > (interrupted.get(id) ?? Infinity));
    const duplicates = ids.filter((id) => !reclaimed(id));
    if (duplicates.length > 1)
      problems.push(
        `NodeClaim ${claim} has ${duplicates.length} instances: ${ids.join(", ")}\n${trace(new Set(), claim)}`,
      );
    if (duplicates.length < ids.length) relaunched += 1;
    if (!seen.claims.has(claim)) problems.push(`instances ${ids.join(", ")} name NodeClaim ${claim}, never stored`);
  }
  // No leak, either way: each live instance is a live NodeClaim's, each NodeClaim has a live instance.
  const live = claims();
  const providerIds = new Set(live.map((c) => c.status?.providerID?.split("/").at(-1)));
  for (const instance of all.filter((i) => ["pending", "running"].includes(world.cloud.stateOf(i)))) {
    if (!providerIds.has(instance.id)) problems.push(`instance ${instance.id} leaked: no NodeClaim names it`);
  }
  const alive = new Set(all.filter((i) => world.cloud.stateOf(i) === "running").map((i) => i.id));
  for (const claim of live) {
    const id = claim.status?.providerID?.split("/").at(-1);
    if (id === undefined || !alive.has(id)) problems.push(`NodeClaim ${claim.metadata?.name} has no running instance`);
  }
  // Each action exactly once in the status branch, and every commit a life logged as made there still in it.
  const events = await statusEvents();
  const branch = new Set((await gitCli(repo, "rev-list", STATUS_BRANCH)).split("\n"));
  lives.forEach((life, index) => {
    for (const line of life.run.lines.filter((l) => l.msg === "status committed and pushed")) {
      if (!branch.has(String(line.sha)))
        problems.push(
          `life ${index}'s status commit ${String(line.sha)} (${String(line.events)} events) is not in the branch`,
        );
    }
  });
  const launched = [...seen.claims.values()].filter((c) => c.status?.providerID !== undefined);
  const provisioned = new Map<string, number>();
  for (const event of events) {
    const name = /^provisioned default (\S+):/.exec(event)?.[1];
    if (name !== undefined) provisioned.set(name, (provisioned.get(name) ?? 0) + 1);
  }
  for (const claim of launched) {
    const name = String(claim.metadata?.name ?? "");
    const count = provisioned.get(name) ?? 0;
    if (count !== 1) problems.push(`NodeClaim ${name} launched; ${count} provisioned events\n${trace(branch, name)}`);
  }
  for (const [name, count] of provisioned) {
    if (!launched.some((c) => c.metadata?.name === name))
      problems.push(`${count} provisioned events for ${name}, never launched`);
  }
  const acted = new Map<string, number>();
  for (const event of events) {
    const head = /^(interrupted|drained|consolidated|expired|drifted) (\S+)(?: (\S+))?:/.exec(event);
    if (head === null) continue;
    // An interruption and its drain are about an instance (the reason names it), whatever node name is shown.
    const instance = /instance (i-[0-9a-f]+)/.exec(event)?.[1];
    const key = `${head[1]} ${instance ?? head[3] ?? head[2]}`;
    acted.set(key, (acted.get(key) ?? 0) + 1);
  }
  for (const [key, count] of acted) {
    if (count > 1)
      problems.push(`status event "${key}" recorded ${count} times\n${trace(branch, key.split(" ")[1] ?? key)}`);
  }
  // Each interruption acted on (its NodeClaim tainted and deleted with the notice written on it) is reported once,
  // and its drain once when the NodeClaim is gone.
  for (const claim of seen.claims.values()) {
    const notice = (claim.metadata?.annotations as Record<string, string> | undefined)?.["poolkeeper.dev/interruption"];
    const instance = notice?.split(" ")[1];
    if (instance === undefined) continue;
    const name = String(claim.metadata?.name ?? "");
    if ((acted.get(`interrupted ${instance}`) ?? 0) !== 1)
      problems.push(
        `interruption of ${instance} (NodeClaim ${name}): ${acted.get(`interrupted ${instance}`) ?? 0} interrupted events\n` +
          trace(branch, instance, name),
      );
    const gone = !claims().some((c) => c.metadata?.name === claim.metadata?.name);
    if (gone && (acted.get(`drained ${instance}`) ?? 0) !== 1)
      problems.push(
        `drain of ${instance} (NodeClaim ${name}): ${acted.get(`drained ${instance}`) ?? 0} drained events\n` +
          trace(branch, instance, name),
      );
  }
  // No SQS message deleted before its work was done: the NodeClaim of the instance it names was already being
  // deleted (tainted and deleted: beginTermination's act) when the queue deleted the message.
  const claimOfInstance = new Map<string, string>();
  for (const claim of seen.claims.values()) {
    const id = claim.status?.providerID?.split("/").at(-1);
    if (id !== undefined) claimOfInstance.set(id, String(claim.metadata?.name ?? ""));
  }
  for (const message of served.aws.queues.byName(QUEUE).deleted()) {
    const body = JSON.parse(message.body) as {
      "detail-type"?: string;
      detail?: { "instance-id"?: string; state?: string };
    };
    const acts =
      body["detail-type"] === "EC2 Spot Instance Interruption Warning" ||
      (body["detail-type"] === "EC2 Instance State-change Notification" &&
        ["stopping", "stopped", "shutting-down", "terminated"].includes(body.detail?.state ?? ""));
    if (!acts) continue;
    const instance = body.detail?.["instance-id"];
    const claim = instance === undefined ? undefined : claimOfInstance.get(instance);
    if (claim === undefined) continue;
    const since = seen.terminating.get(claim);
    if (since === undefined || since > message.deletedAt) {
      problems.push(`message ${message.id} (instance ${instance}) deleted before NodeClaim ${claim} was terminating`);
    }
  }
  if (process.env.CRASH_VERBOSE) console.log([...actions, ...events].join("\n"));
  // What the run exercised, for the CI log: the kills, how many landed inside a launch, what happened meanwhile.
  const killed = lives.filter((l) => l.inLaunch !== undefined);
  const count = (prefix: string) => events.filter((e) => e.startsWith(prefix)).length;
  console.log(
    `crash-safety seed ${SEED}: ${killed.length} kills, ${killed.filter((l) => l.inLaunch).length} inside a launch ` +
      `(${killed.filter((l) => l.killedAt.endsWith("into a launch")).length} aimed at one); ` +
      `${launched.length} NodeClaims launched, ${all.length} instances (${relaunched} NodeClaims launched again ` +
      `after EC2 reclaimed their first instance before they recorded it); ` +
      `${actions.filter((a) => a.startsWith("spot interruption")).length} spot interruptions sent, ` +
      `${count("interrupted ")} interrupted and ${count("drained ")} drained events; ` +
      `${count("consolidated ")} consolidated events (${killed.filter((l) => l.killedAt === "at a disruption").length} kills at a ` +
      `disruption command); ${events.length} status events, ` +
      `${served.aws.queues.byName(QUEUE).deleted().length} messages deleted`,
  );
  assert.deepEqual(problems, [], `seed ${SEED}:\n${problems.join("\n")}`);
}
