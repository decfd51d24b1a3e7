// Karpenter's node termination controller and terminator (core:pkg/controllers/node/termination/controller.go,
// terminator/terminator.go, nodeclaim/lifecycle/termination.go) as one loop over NodeClaims: for a NodeClaim being
// deleted that still carries `karpenter.sh/termination`, taint its Node `karpenter.sh/disrupted:NoSchedule`, drain
// it in Karpenter's order (drain-order.ts) through the eviction API — a 429 from a disruption budget is retried
// with backoff until the deadline (termination-deadline.ts), when the pods left are deleted —, wait for its
// VolumeAttachments to go, then terminate the instance through the cloud provider until it is gone, delete the
// Node and remove the finalizers. A NodeClaim that never got a Node just has its instance terminated.
//
// Its only state is the NodeClaim's deletion and finalizer: a restarted controller lists the NodeClaims being
// deleted and carries on where the cluster says it is. Everything it waits for is requeued on the TimerClock.
import {
  isNotFound,
  type Cluster,
  type ClusterChange,
  type Node,
  type NodeClaim,
  type Pod,
  type Timer,
  type TimerClock,
} from "../../api/index.ts";
import { findError, NodeClaimNotFoundError, type CloudProvider } from "../../cloudprovider/index.ts";
import type { Logger } from "../../runtime/index.ts";
import { DISRUPTED_NO_SCHEDULE_TAINT } from "../../scheduling/index.ts";
import { drainPlan, expiringPods, isWaitingEviction } from "./drain-order.ts";
import { terminationDeadline } from "./termination-deadline.ts";
import { LABEL_NODE_POOL } from "../provisioning/index.ts";
import { TERMINATION_FINALIZER } from "./termination-keys.ts";
import type { TerminationReport } from "./termination-report.ts";
import { blockingVolumeAttachments } from "./volume-detachment.ts";

export interface TerminationOptions {
  cluster: Cluster;
  cloudProvider: CloudProvider;
  clock: TimerClock;
  logger?: Logger;
  /** Told once per NodeClaim this process finished terminating, before its finalizer is removed. */
  onTerminated?: (report: TerminationReport) => void;
  /**
   * Awaited between the report and the finalizer's removal, with the NodeClaim as it ends: what is reported about
   * it is made durable (the status publisher's flush) while the NodeClaim still exists, so a crash in between loses
   * nothing — a restarted controller finds the NodeClaim still held and reports it again (recorded once). A
   * rejection keeps the finalizer; the NodeClaim is looked at again.
   */
  beforeFinalize?: (claim: NodeClaim) => Promise<unknown>;
  /** How soon a drain or volume wait is looked at again; 1 s (Karpenter requeues a drain after 1 s). */
  requeueMs?: number;
  /** How soon an instance still shutting down is asked for again; 5 s (the instance termination requeue). */
  instanceRequeueMs?: number;
}

/** Per-pod backoff after a 429: 1 s doubling to 10 s (the eviction queue's rate limiter, coarsened to passes). */
const EVICTION_BACKOFF = { minMs: 1_000, maxMs: 10_000 } as const;

interface Progress {
  evicted: number;
  deletedAtDeadline: number;
  blockedEvictions: number;
  drainedAt?: number;
  forced: boolean;
  backoff: Map<string, { attempts: number; until: number }>;
}

type Step = { done: true } | { done: false; requeueMs: number };

const podKey = (pod: Pod) => `${pod.metadata.namespace}/${pod.metadata.name}`;

export class TerminationController {
  readonly #o: Required<Omit<TerminationOptions, "logger" | "onTerminated" | "beforeFinalize">> & TerminationOptions;
  readonly #timers = new Map<string, Timer>();
  readonly #running = new Map<string, Promise<void>>();
  readonly #again = new Set<string>();
  readonly #progress = new Map<string, Progress>();
  #unsubscribe: (() => void) | undefined;
  #stopped = false;

  constructor(options: TerminationOptions) {
    this.#o = { requeueMs: 1_000, instanceRequeueMs: 5_000, ...options };
  }

  /** Watches NodeClaims (the cluster's informers must be started) and takes up every one already being deleted. */
  start(): this {
    this.#stopped = false;
    this.#unsubscribe = this.#o.cluster.onChange("nodeclaims", (change: ClusterChange<NodeClaim>) => {
      if (change.type !== "deleted" && this.#wants(change.object)) this.enqueue(change.object.metadata.name ?? "");
    });
    for (const claim of this.#o.cluster.list("nodeclaims")) {
      if (this.#wants(claim)) this.enqueue(claim.metadata.name ?? "");
    }
    return this;
  }

  /** Stops taking work; a pass in flight completes. Resolves when none is left running. */
  async stop(): Promise<void> {
    this.#stopped = true;
    this.#unsubscribe?.();
    for (const timer of this.#timers.values()) timer.stop();
    this.#timers.clear();
    await Promise.allSettled([...this.#running.values()]);
  }

  /** Looks at the NodeClaim now (a pass already running looks again when it ends). */
  enqueue(name: string, delayMs = 0): void {
    if (this.#stopped || name === "") return;
    if (this.#running.has(name)) {
      if (delayMs === 0) this.#again.add(name);
      else this.#arm(name, delayMs);
      return;
    }
    this.#arm(name, delayMs);
  }

  #arm(name: string, delayMs: number): void {
    this.#timers.get(name)?.stop();
    this.#timers.set(
      name,
      this.#o.clock.afterFunc(delayMs, () => {
        this.#timers.delete(name);
        this.#run(name);
      }),
    );
  }

  #run(name: string): void {
    if (this.#stopped || this.#running.has(name)) return;
    const pass = this.#reconcile(name)
      .then((step) => {
        if (!step.done) this.enqueue(name, step.requeueMs);
      })
      .catch((error: unknown) => {
        this.#o.logger?.error({ nodeClaim: name, err: error }, "terminating the NodeClaim failed; retrying");
        this.enqueue(name, this.#o.instanceRequeueMs);
      })
      .finally(() => {
        this.#running.delete(name);
        if (this.#again.delete(name)) this.enqueue(name);
      });
    this.#running.set(name, pass);
  }

  #wants(claim: NodeClaim): boolean {
    return (
      claim.metadata.deletionTimestamp !== undefined &&
      (claim.metadata.finalizers ?? []).includes(TERMINATION_FINALIZER)
    );
  }

  #nodeOf(claim: NodeClaim): Node | undefined {
    const { cluster } = this.#o;
    const named = claim.status?.nodeName;
    if (named) return cluster.get("nodes", { name: named });
    const providerID = claim.status?.providerID;
    if (!providerID) return undefined;
    return cluster.list("nodes").find((node) => node.spec?.providerID === providerID);
  }

  async #reconcile(name: string): Promise<Step> {
    const { cluster, clock } = this.#o;
    const claim = cluster.get("nodeclaims", { name });
    if (claim === undefined || !this.#wants(claim)) {
      this.#progress.delete(name);
      return { done: true };
    }
    const progress = this.#progressOf(name);
    const now = clock.now().getTime();
    const deadline = terminationDeadline(claim);
    const expired = deadline !== undefined && now >= deadline;
    const node = this.#nodeOf(claim);
    if (node !== undefined) {
      const nodeName = node.metadata.name ?? "";
      const gone = await this.#instanceGoneWhileNotReady(node);
      if (!gone) {
        await this.#taint(nodeName);
        if (expired) progress.forced = true;
        else {
          const pending = await this.#drain(claim, nodeName, deadline, now, progress);
          if (pending) return { done: false, requeueMs: this.#o.requeueMs };
          progress.drainedAt ??= now;
          if (this.#awaitingVolumes(nodeName, now)) return { done: false, requeueMs: this.#o.requeueMs };
        }
      }
    }
    if (!(await this.#instanceGone(claim))) return { done: false, requeueMs: this.#o.instanceRequeueMs };
    if (node !== undefined) await this.#deleteNode(node.metadata.name ?? "");
    this.#report(claim, node, progress);
    await this.#o.beforeFinalize?.(claim);
    await cluster.removeFinalizer("nodeclaims", { name }, TERMINATION_FINALIZER);
    this.#progress.delete(name);
    return { done: true };
  }

  #progressOf(name: string): Progress {
    let progress = this.#progress.get(name);
    if (progress === undefined) {
      progress = { evicted: 0, deletedAtDeadline: 0, blockedEvictions: 0, forced: false, backoff: new Map() };
      this.#progress.set(name, progress);
    }
    return progress;
  }

  /**
   * A Node not Ready whose instance the cloud no longer has is not drained (Karpenter's termination controller,
   * as the cloud node lifecycle controller): nothing runs there to drain.
   */
  async #instanceGoneWhileNotReady(node: Node): Promise<boolean> {
    const ready = node.status?.conditions?.find((c) => c.type === "Ready")?.status;
    if (ready === "True" || !node.spec?.providerID) return false;
    try {
      await this.#o.cloudProvider.get(node.spec.providerID);
      return false;
    } catch (error) {
      if (findError(error, NodeClaimNotFoundError)) return true;
      throw error;
    }
  }

  async #taint(nodeName: string): Promise<void> {
    const node = this.#o.cluster.get("nodes", { name: nodeName });
    const taint = DISRUPTED_NO_SCHEDULE_TAINT;
    if (node?.spec?.taints?.some((t) => t.key === taint.key && t.effect === taint.effect)) return;
    try {
      await this.#o.cluster.taint(nodeName, { key: taint.key, effect: "NoSchedule" });
    } catch (error) {
      if (!isNotFound(error)) throw error;
    }
  }

  /** One drain pass; true while pods are still waited for. */
  async #drain(
    claim: NodeClaim,
    nodeName: string,
    deadline: number | undefined,
    now: number,
    progress: Progress,
  ): Promise<boolean> {
    const { cluster } = this.#o;
    const pods = cluster.list("pods").filter((pod) => pod.spec?.nodeName === nodeName);
    for (const pod of expiringPods(pods, deadline, now)) {
      // Karpenter deletes with the time left as grace period; the port's delete takes none, so the pod's own applies.
      const outcome = await cluster.delete("pods", {
        namespace: pod.metadata.namespace ?? "",
        name: pod.metadata.name ?? "",
      });
      if (outcome.outcome !== "not-found") {
        progress.deletedAtDeadline++;
        await this.#event(
          pod,
          "Normal",
          "Disrupted",
          `Deleted the pod: the termination deadline of NodeClaim ${claim.metadata.name} leaves no time to evict it`,
        );
      }
    }
    const plan = drainPlan(pods, now);
    if (plan.waiting.length === 0) return false;
    const blocked: string[] = [];
    await Promise.all(
      plan.evictNow.map(async (pod) => {
        const key = podKey(pod);
        const backoff = progress.backoff.get(key);
        if (backoff !== undefined && now < backoff.until) return;
        const outcome = await cluster.evict({ namespace: pod.metadata.namespace ?? "", name: pod.metadata.name ?? "" });
        if (outcome.outcome === "evicted") {
          progress.evicted++;
          progress.backoff.delete(key);
          await this.#event(pod, "Normal", "Evicted", "Evicted pod");
        } else if (outcome.outcome === "blocked" || outcome.outcome === "misconfigured") {
          progress.blockedEvictions++;
          const attempts = (backoff?.attempts ?? 0) + 1;
          const wait = Math.min(EVICTION_BACKOFF.maxMs, EVICTION_BACKOFF.minMs * 2 ** (attempts - 1));
          const retryAfter = outcome.outcome === "blocked" ? (outcome.retryAfterSeconds ?? 0) * 1000 : 0;
          progress.backoff.set(key, { attempts, until: now + Math.max(wait, retryAfter) });
          blocked.push(`${key}: ${outcome.message}`);
        }
      }),
    );
    if (blocked.length > 0) {
      const node = cluster.get("nodes", { name: nodeName });
      if (node !== undefined) {
        await this.#event(
          node,
          "Warning",
          "FailedDraining",
          `Failed to drain node, ${plan.waiting.length} pods are waiting to be evicted; ${blocked[0]}`,
        );
      }
    }
    return true;
  }

  #awaitingVolumes(nodeName: string, now: number): boolean {
    const { cluster } = this.#o;
    const staying = cluster
      .list("pods")
      .filter((pod) => pod.spec?.nodeName === nodeName && !isWaitingEviction(pod, now));
    const attachments = blockingVolumeAttachments(
      nodeName,
      cluster.list("volumeattachments"),
      staying,
      cluster.list("persistentvolumeclaims"),
    );
    return attachments.length > 0;
  }

  /** Asks the cloud to terminate the instance; true once it says the instance is gone (or there never was one). */
  async #instanceGone(claim: NodeClaim): Promise<boolean> {
    if (!claim.status?.providerID) return true;
    try {
      await this.#o.cloudProvider.delete(claim);
      return false;
    } catch (error) {
      if (findError(error, NodeClaimNotFoundError)) return true;
      throw error;
    }
  }

  async #deleteNode(nodeName: string): Promise<void> {
    const { cluster } = this.#o;
    const outcome = await cluster.delete("nodes", { name: nodeName });
    if (outcome.outcome === "finalizing")
      await cluster.removeFinalizer("nodes", { name: nodeName }, TERMINATION_FINALIZER);
  }

  async #event(object: Pod | Node, type: "Normal" | "Warning", reason: string, message: string): Promise<void> {
    const kind = object.metadata.namespace === undefined ? "Node" : "Pod";
    try {
      await this.#o.cluster.recordEvent({
        involved: {
          apiVersion: "v1",
          kind,
          name: object.metadata.name ?? "",
          uid: object.metadata.uid ?? "",
          ...(object.metadata.namespace === undefined ? {} : { namespace: object.metadata.namespace }),
        },
        type,
        reason,
        message,
      });
    } catch (error) {
      // An event is a report, not a step: losing one never stops the termination.
      this.#o.logger?.warn({ reason, err: error }, "recording an event failed");
    }
  }

  #report(claim: NodeClaim, node: Node | undefined, progress: Progress): void {
    // A Node deleted by a pass that then died is still named: its reports keep naming the same node.
    const nodeName = node?.metadata.name ?? claim.status?.nodeName;
    const report: TerminationReport = {
      nodeClaim: claim.metadata.name ?? "",
      ...(nodeName === undefined ? {} : { node: nodeName }),
      ...(claim.metadata.labels?.[LABEL_NODE_POOL] === undefined
        ? {}
        : { pool: claim.metadata.labels[LABEL_NODE_POOL] }),
      ...(claim.status?.providerID === undefined ? {} : { providerID: claim.status.providerID }),
      ...(claim.metadata.annotations === undefined ? {} : { annotations: claim.metadata.annotations }),
      deletedAt: Date.parse(claim.metadata.deletionTimestamp ?? ""),
      ...(progress.drainedAt === undefined ? {} : { drainedAt: progress.drainedAt }),
      terminatedAt: this.#o.clock.now().getTime(),
      evicted: progress.evicted,
      deletedAtDeadline: progress.deletedAtDeadline,
      blockedEvictions: progress.blockedEvictions,
      forced: progress.forced,
    };
    this.#o.logger?.info(report, "node terminated");
    this.#o.onTerminated?.(report);
  }
}
