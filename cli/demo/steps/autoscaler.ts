// The autoscaler half of the scenario, played against `poolkeeper run`'s loops: pending pods get nodes (and the
// one no pool can take is explained), a spot interruption is drained and replaced before EC2's two-minute deadline,
// consolidation removes nodes within the pools' budgets while a `nodes: "0"` window holds the GPU pool, and an
// EC2NodeClass change drifts its nodes with the rollout's progress. Each waits on the world's clock and fails,
// naming the loops `run` registered, when what it waits for does not happen.
import { join } from "node:path";
import type { KubeObject } from "../../../sim/index.ts";
import { INTERRUPTION_QUEUE, type DemoEnvironment } from "../environment.ts";
import { InterruptionTrace } from "../interruption-trace.ts";
import { DEMO_EXAMPLES, demoExample } from "../repository.ts";
import { expect, StepFailure, waitFor, type DemoStep } from "../step.ts";
import { findObject, isBound, isRunningOrDone, listObjects, nodePoolOf } from "../world-view.ts";
import { shorten } from "./policy.ts";
import { configDefaults, fetchStatusHistory } from "../../../gitops/index.ts";

const NAMESPACE = "shop";
const UNSCHEDULABLE_POD = "arm-only";
/** Karpenter's words at the start of its FailedScheduling message (kube-scheduler's start "0/N nodes"). */
const POOLKEEPER_FAILED_SCHEDULING = "Failed to schedule pod";
/** Simulated time the pending pods may take: batch window, launch, boot (60 s), kubelet start. */
const PROVISIONING_WAIT_MS = 5 * 60_000;
/** EC2 terminates an interrupted spot instance two minutes after its warning. */
const INTERRUPTION_DEADLINE_MS = 120_000;
/** The GPU pool's consolidateAfter (10 min) and a few passes after it. */
const CONSOLIDATION_WAIT_MS = 20 * 60_000;
const DRIFT_WAIT_MS = 15 * 60_000;
/** The gate's judgement of the class change (poolkeeper.yaml polls every 10 s). */
const GATE_WAIT_MS = 10 * 60_000;

export const pendingPodsGetNodes: DemoStep = {
  id: "pending-pods",
  title: "300 pending pods (zone-spread Deployments, a GPU job, one pod no pool can take) get nodes",
  async run(env, _state, progress) {
    const applied = await env.kubectl(["apply", "-f", join(DEMO_EXAMPLES, "workloads", "pending-pods.yaml")]);
    expect(applied.code === 0, `kubectl apply of the workloads failed: ${applied.stderr.trim()}`);
    const pods = () => listObjects(env.world, "pods", NAMESPACE);
    const placeable = () => pods().filter((pod) => name(pod) !== UNSCHEDULABLE_POD);
    await waitFor(
      env,
      "every pod but arm-only bound to a node",
      PROVISIONING_WAIT_MS,
      () => {
        const all = placeable();
        const bound = all.filter(isBound).length;
        progress(`${bound}/${all.length} pods bound, ${listObjects(env.world, "nodes").length} nodes`);
        return all.length >= 299 && bound === all.length ? true : undefined;
      },
      { why: () => `${placeable().filter(isBound).length}/${placeable().length} bound; ${loopsSaid(env)}` },
    );
    const explanation = await waitFor(
      env,
      "poolkeeper's FailedScheduling event explaining arm-only",
      PROVISIONING_WAIT_MS,
      () =>
        podEvents(env, UNSCHEDULABLE_POD).find(
          (event) => event.reason === "FailedScheduling" && event.message.startsWith(POOLKEEPER_FAILED_SCHEDULING),
        ),
      { why: () => loopsSaid(env) },
    );
    const nodes = listObjects(env.world, "nodes");
    const perPool = countBy(nodes, (node) => nodePoolOf(node) ?? "(none)");
    const skew = zoneSkew(env, "web");
    expect(skew.max - skew.min <= 1, `web's zone spread is skewed: ${JSON.stringify(skew.perZone)}`);
    expect((perPool.get("gpu") ?? 0) >= 1, "the GPU job got no node of the gpu pool");
    return [
      `${placeable().length} of ${pods().length} pods got nodes: ${nodes.length} nodes (${describeCounts(perPool)})`,
      `web per zone: ${Object.entries(skew.perZone)
        .map(([zone, count]) => `${zone} ${count}`)
        .join(", ")}`,
      `arm-only stays pending: ${shorten(explanation.message)}`,
    ];
  },
};

export const spotInterruption: DemoStep = {
  id: "spot-interruption",
  title: "a spot interruption is drained and replaced before the 2-minute deadline",
  async run(env, _state, progress) {
    // A spot node not already on its way out (a second interruption in a row takes another node).
    const spot = listObjects(env.world, "nodes").find(
      (node) =>
        label(node, "karpenter.sh/capacity-type") === "spot" &&
        node.metadata?.deletionTimestamp === undefined &&
        !((node.spec as { taints?: { key?: string }[] } | undefined)?.taints ?? []).some(
          (taint) => taint.key === "karpenter.sh/disrupted",
        ),
    );
    if (spot === undefined) throw new StepFailure(`no spot node to interrupt; ${loopsSaid(env)}`);
    const nodeName = name(spot);
    const instanceId =
      String((spot.spec as { providerID?: string }).providerID ?? "")
        .split("/")
        .at(-1) ?? "";
    const before = listObjects(env.world, "pods", NAMESPACE).filter(
      (pod) => (pod.spec as { nodeName?: string }).nodeName === nodeName,
    ).length;
    const noticeAt = env.clock.now().getTime();
    // The world's record of what follows, at simulated times: a failure says which wait the clock ran past.
    const trace = new InterruptionTrace(env, nodeName);
    const notice = env.served.aws.events.spotInterruption(instanceId);
    const queue = env.served.aws.queues.byName(INTERRUPTION_QUEUE);
    // run deletes the message once the node is tainted and its NodeClaim's deletion persisted (docs/interruption.md).
    const deleted = () => queue.deleted().find((message) => messageId(message.body) === notice.id);
    const pods = () => listObjects(env.world, "pods", NAMESPACE).filter((pod) => name(pod) !== UNSCHEDULABLE_POD);
    const left = () => pods().filter((pod) => (pod.spec as { nodeName?: string }).nodeName === nodeName);
    // The node's pods are back when each of their owners (a ReplicaSet, a Job) has as many pods running (or done)
    // as when the notice came. Not every pod of the namespace: consolidation may be moving other nodes' pods at the
    // same time (a pool's consolidateAfter can run out during these two minutes), and those are not this step's.
    const owners = new Map<string, number>();
    for (const pod of left()) owners.set(ownerOf(pod), 0);
    for (const pod of pods())
      if (owners.has(ownerOf(pod)) && isRunningOrDone(pod))
        owners.set(ownerOf(pod), (owners.get(ownerOf(pod)) ?? 0) + 1);
    const running = (owner: string) =>
      pods().filter((pod) => ownerOf(pod) === owner && isBound(pod) && isRunningOrDone(pod)).length;
    const short = () => [...owners].filter(([owner, wanted]) => running(owner) < wanted).map(([owner]) => owner);
    const waiting = () => {
      const owing = short();
      return pods().filter((pod) => owing.includes(ownerOf(pod)) && (!isBound(pod) || !isRunningOrDone(pod)));
    };
    try {
      await waitFor(
        env,
        `${nodeName}'s ${before} pods drained and running elsewhere, and the notice deleted from the queue`,
        INTERRUPTION_DEADLINE_MS,
        () => {
          progress(`${left().length} pods left on ${nodeName}, ${waiting().length} not running yet`);
          return left().length === 0 && short().length === 0 && deleted() !== undefined ? true : undefined;
        },
        {
          why: () =>
            `${left().length} pod(s) still on ${nodeName}, ${short().length} of their ${owners.size} owner(s) short of ` +
            `the pods they ran, not running: ${describePods(waiting())}; the notice ` +
            `${deleted() === undefined ? "still queued" : `deleted +${(((deleted()?.deletedAt ?? noticeAt) - noticeAt) / 1000).toFixed(1)} s`}; ` +
            `${loopsSaid(env)}\n${trace.describe()}`,
        },
      );
    } finally {
      trace.stop();
    }
    const tookMs = env.clock.now().getTime() - noticeAt;
    const deletion = deleted();
    // What run launched for the drained pods: NodeClaims created since the notice (creation times are in seconds).
    // None when the other nodes had room for them: Karpenter launches capacity for a deleting node's pods only when
    // they fit nowhere else (provisioner.go, the deleting nodes' pods in its scheduling simulation).
    const replacements = listObjects(env.world, "nodeclaims")
      .filter((claim) => Date.parse(String(claim.metadata?.creationTimestamp)) >= Math.floor(noticeAt / 1000) * 1000)
      .map(
        (claim) =>
          `${name(claim)} (${nodePoolOf(claim) ?? "?"}, ${label(claim, "node.kubernetes.io/instance-type") ?? "?"})`,
      );
    return [
      `${instanceId} (${nodeName}) warned; its ${before} pods drained and running elsewhere ` +
        `${Math.round(tookMs / 1000)} s after the notice (deadline 120 s)`,
      `the notice deleted from ${INTERRUPTION_QUEUE} by run ` +
        `${Math.round(((deletion?.deletedAt ?? noticeAt) - noticeAt) / 1000)} s after it was sent`,
      replacements.length > 0
        ? `replacement launched by run: ${replacements.join(", ")}`
        : `no replacement needed: the other nodes had room for its ${before} pods (run launched no NodeClaim)`,
    ];
  },
};

export const consolidationWithinBudgets: DemoStep = {
  id: "consolidation",
  title: 'load drops: consolidation within the budgets, while a nodes: "0" window holds the GPU pool',
  async run(env, _state, progress) {
    const poolNodes = (pool: string) => listObjects(env.world, "nodes").filter((node) => nodePoolOf(node) === pool);
    const before = poolNodes("general-purpose").length;
    const gpuBefore = poolNodes("gpu").map(name);
    if (before === 0) throw new StepFailure(`no general-purpose nodes to consolidate; ${loopsSaid(env)}`);
    for (const deployment of ["web", "api", "worker"]) {
      const patched = await env.kubectl([
        "patch",
        "deployment",
        deployment,
        "-n",
        NAMESPACE,
        "--type",
        "merge",
        "-p",
        '{"spec":{"replicas":5}}',
      ]);
      expect(patched.code === 0, `scaling ${deployment} down failed: ${patched.stderr.trim()}`);
    }
    // The training job is done: its GPU node is empty, so emptiness would take it — but the GPU pool's
    // `nodes: "0"` business-hours window is active, and the node must stay, with the reason on it.
    const finished = await env.kubectl(["delete", "job", "train", "-n", NAMESPACE, "--wait=false"]);
    expect(finished.code === 0, `deleting the finished training job failed: ${finished.stderr.trim()}`);
    const heldEvent = () =>
      listObjects(env.world, "events").find(
        (event) =>
          (event as { reason?: string }).reason === "DisruptionBlocked" &&
          /budget/i.test(String((event as { message?: string }).message)) &&
          isAboutGpuPool(event, gpuBefore),
      );
    // Karpenter's budget: 20% of the pool's nodes, rounded up, disrupted at once. Counted from a watch on the
    // pool's NodeClaims (every change, in order), not by sampling, which a quick deletion slips between.
    const budget = new DisruptingCount(env, "general-purpose");
    let watched: { worst: number; allowedThen: number };
    try {
      await waitFor(
        env,
        "general-purpose nodes consolidated and the GPU pool's hold explained",
        CONSOLIDATION_WAIT_MS,
        () => {
          const nodes = poolNodes("general-purpose");
          const disrupting = nodes.filter(
            (node) => (node.metadata as { deletionTimestamp?: string }).deletionTimestamp !== undefined,
          ).length;
          const held = heldEvent() === undefined ? "not yet held" : "held";
          progress(`${nodes.length} general-purpose nodes (was ${before}), ${disrupting} being disrupted; gpu ${held}`);
          return nodes.length < before && disrupting === 0 && heldEvent() !== undefined ? true : undefined;
        },
        { why: () => loopsSaid(env) },
      );
    } finally {
      watched = budget.stop();
    }
    const { worst, allowedThen } = watched;
    expect(worst > 0, "the watch saw no general-purpose NodeClaim disrupted");
    expect(worst <= allowedThen, `${worst} nodes were disrupted at once; the 20% budget allowed ${allowedThen}`);
    const gpuNow = poolNodes("gpu").map(name);
    expect(gpuBefore.length > 0, "there was no GPU node for the window to hold");
    expect(
      gpuBefore.every((node) => gpuNow.includes(node)),
      `a GPU node was disrupted inside the nodes: "0" window (${gpuBefore.join(", ")} → ${gpuNow.join(", ")})`,
    );
    const held = heldEvent();
    expect(held !== undefined, "no DisruptionBlocked event says why the GPU pool is held");
    return [
      `general-purpose: ${before} → ${poolNodes("general-purpose").length} nodes, at most ${worst} disrupted at once ` +
        `(budget 20%: ${allowedThen})`,
      `gpu held: ${shorten(String((held as { message?: string }).message))}`,
    ];
  },
};

export const driftRollout: DemoStep = {
  id: "drift",
  title: "an EC2NodeClass change drifts its nodes, replaced with rollout progress",
  async run(env, _state, progress) {
    // The GPU pool's `nodes: "0"` window is still active: its node drifts too, but waits for the window to end.
    const old = listObjects(env.world, "nodes")
      .filter((node) => nodePoolOf(node) !== "gpu")
      .map(name);
    if (old.length === 0) throw new StepFailure(`no nodes to drift; ${loopsSaid(env)}`);
    // The weekend batch pool the gate rejected is still at the head: the team takes it out again, or the gate
    // would reject this commit for it too.
    const head = await env.repository.commit("pools: larger, encrypted root volumes; the rejected batch pool out", {
      "pools/default-class.yaml": demoExample("commits/default-class-volumes.yaml"),
      "pools/batch.yaml": null,
    });
    await waitFor(env, `the gate accepting ${head.slice(0, 7)}`, GATE_WAIT_MS, async () =>
      (
        await fetchStatusHistory({ url: env.repository.bare, branch: configDefaults.statusBranch }).catch(() => [])
      ).find((entry) => entry.source === head),
    );
    await waitFor(env, "run applying the changed EC2NodeClass", GATE_WAIT_MS, () =>
      (findObject(env.world, "ec2nodeclasses", "default")?.spec as { blockDeviceMappings?: unknown } | undefined)
        ?.blockDeviceMappings === undefined
        ? undefined
        : true,
    );
    const steps: string[] = [];
    let last = -1;
    await waitFor(
      env,
      `all ${old.length} nodes of the old class replaced`,
      DRIFT_WAIT_MS,
      () => {
        const now = listObjects(env.world, "nodes").map(name);
        const replaced = old.filter((node) => !now.includes(node)).length;
        if (replaced !== last) {
          last = replaced;
          steps.push(`${replaced}/${old.length}`);
        }
        progress(`rollout ${replaced}/${old.length} replaced, ${now.length} nodes`);
        return replaced === old.length ? true : undefined;
      },
      { why: () => `rollout ${last}/${old.length}; ${loopsSaid(env)}` },
    );
    return [`rollout: ${steps.join(" → ")} nodes replaced`];
  },
};

function loopsSaid(env: DemoEnvironment): string {
  return `poolkeeper run's loops: ${env.controller.loops.join(", ") || "(none)"}`;
}

/** The uid of a pod's controller (its ReplicaSet or Job), or its own name when it has none. */
function ownerOf(pod: KubeObject): string {
  const owners = (pod.metadata as { ownerReferences?: { uid?: string; controller?: boolean }[] }).ownerReferences;
  return owners?.find((owner) => owner.controller === true)?.uid ?? `pod/${name(pod)}`;
}

/** Pods as name (phase, node), for a failure. */
function describePods(pods: readonly KubeObject[]): string {
  if (pods.length === 0) return "none";
  return pods
    .map((pod) => {
      const phase = (pod.status as { phase?: string } | undefined)?.phase ?? "Pending";
      return `${name(pod)} (${phase}, ${(pod.spec as { nodeName?: string }).nodeName ?? "unbound"})`;
    })
    .join(", ");
}

function name(object: KubeObject): string {
  return String(object.metadata?.name ?? "");
}

function label(object: KubeObject, key: string): string | undefined {
  return (object.metadata as { labels?: Record<string, string> } | undefined)?.labels?.[key];
}

/** The EventBridge event's id in an SQS message's body. */
function messageId(body: string): string | undefined {
  try {
    return (JSON.parse(body) as { id?: string }).id;
  } catch {
    return undefined;
  }
}

function podEvents(env: DemoEnvironment, pod: string): { reason: string; message: string }[] {
  return listObjects(env.world, "events", NAMESPACE)
    .filter((event) => (event.involvedObject as { name?: string } | undefined)?.name === pod)
    .map((event) => ({ reason: String(event.reason ?? ""), message: String(event.message ?? "") }));
}

function isAboutGpuPool(event: KubeObject, gpuNodes: readonly string[]): boolean {
  const involved = event.involvedObject as { kind?: string; name?: string } | undefined;
  if (involved?.kind === "NodePool") return involved.name === "gpu";
  return involved?.kind === "Node" && gpuNodes.includes(involved.name ?? "");
}

function zoneSkew(env: DemoEnvironment, app: string) {
  const zoneOf = new Map(
    listObjects(env.world, "nodes").map((node) => [name(node), label(node, "topology.kubernetes.io/zone") ?? "?"]),
  );
  const perZone: Record<string, number> = {};
  for (const pod of listObjects(env.world, "pods", NAMESPACE)) {
    if (label(pod, "app") !== app || !isBound(pod)) continue;
    const zone = zoneOf.get(String((pod.spec as { nodeName?: string }).nodeName)) ?? "?";
    perZone[zone] = (perZone[zone] ?? 0) + 1;
  }
  const counts = Object.values(perZone);
  return { perZone, max: Math.max(0, ...counts), min: counts.length === 0 ? 0 : Math.min(...counts) };
}

function countBy<T>(items: readonly T[], key: (item: T) => string): Map<string, number> {
  const counts = new Map<string, number>();
  for (const item of items) counts.set(key(item), (counts.get(key(item)) ?? 0) + 1);
  return counts;
}

function describeCounts(counts: Map<string, number>): string {
  return [...counts].map(([key, count]) => `${key} ${count}`).join(", ");
}

/**
 * The most NodeClaims of a pool being deleted at once, and what a 20 % budget allowed then (Karpenter counts the
 * pool's nodes, those being deleted included, and rounds the percentage up: FACTS.md, budgets).
 */
class DisruptingCount {
  readonly #claims = new Map<string, boolean>();
  readonly #watch: { stop(): void };
  #worst = 0;
  #allowedThen = 0;

  constructor(env: DemoEnvironment, pool: string) {
    const store = env.world.store;
    const kind = store.registry.get("karpenter.sh", "v1", "nodeclaims");
    const from = { resourceVersion: String(store.resourceVersion), readOnly: true };
    for (const claim of store.list(kind, { readOnly: true }).items) this.#see("ADDED", claim, pool);
    this.#watch = store.watch(kind, from, ({ type, object }) => this.#see(type, object, pool));
  }

  #see(type: string, claim: KubeObject, pool: string): void {
    if (type === "BOOKMARK" || nodePoolOf(claim) !== pool) return;
    const name = String(claim.metadata?.name);
    if (type === "DELETED") this.#claims.delete(name);
    else this.#claims.set(name, claim.metadata?.deletionTimestamp !== undefined);
    const deleting = [...this.#claims.values()].filter(Boolean).length;
    if (deleting > this.#worst) {
      this.#worst = deleting;
      this.#allowedThen = Math.ceil(this.#claims.size * 0.2);
    }
  }

  stop(): { worst: number; allowedThen: number } {
    this.#watch.stop();
    return { worst: this.#worst, allowedThen: this.#allowedThen };
  }
}
