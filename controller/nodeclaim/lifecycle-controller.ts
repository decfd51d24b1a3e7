/**
 * The NodeClaim lifecycle controller (Karpenter's core:pkg/controllers/nodeclaim/lifecycle/controller.go): each
 * NodeClaim, whenever it or its Node changes, is taken one step further — launched (through the shared Launcher,
 * retried with backoff after a failure), registered once a Node with its provider ID appears (registration.ts;
 * the node's real memory goes to the cloud provider's observed capacity), initialized once that Node is ready
 * (initialization.ts) — and deleted when the launch or registration timeout passes (liveness.ts). A timer on the
 * clock brings a NodeClaim back at its next deadline. NodeClaims being deleted are the termination controller's.
 */
import type { Cluster, EC2NodeClass, EventRecord, Node, NodeClaim, Timer, TimerClock } from "../../api/index.ts";
import { isNotFound, mutateWithRetry } from "../../api/index.ts";
import { LABEL_INSTANCE_TYPE } from "../../cloudprovider/index.ts";
import type { Logger } from "../../runtime/index.ts";
import { recordEvent } from "../record-event.ts";
import { InFlight } from "../in-flight.ts";
import { CONDITION_INITIALIZED, CONDITION_LAUNCHED, CONDITION_REGISTERED, isConditionTrue } from "../state/index.ts";
import { notInitializedBecause } from "./initialization.ts";
import type { Launcher } from "./launch.ts";
import { launchedAt, launchReport, type LaunchStatusSink } from "./launch-report.ts";
import { liveness, type LivenessTimeouts, LAUNCH_TIMEOUT_MS, REGISTRATION_TIMEOUT_MS } from "./liveness.ts";
import { livenessEvent, registeredEvent } from "./nodeclaim-events.ts";
import type { ObservedCapacitySink } from "./observed-capacity.ts";
import { type NodeClaimStatusSink, poolOf } from "./status-sink.ts";
import { LABEL_INITIALIZED, registeredNode } from "./registration.ts";
import { patchCondition } from "./status-patch.ts";

/** Backoff between launch attempts of one NodeClaim after a failure (controller-runtime's rate limiter, capped). */
const LAUNCH_RETRY_MIN_MS = 5_000;
const LAUNCH_RETRY_MAX_MS = 60_000;

export interface NodeClaimLifecycleOptions {
  readonly cluster: Cluster;
  readonly launcher: Launcher;
  readonly clock: TimerClock;
  readonly observedCapacity?: ObservedCapacitySink;
  readonly timeouts?: Partial<LivenessTimeouts>;
  readonly logger?: Logger;
  /**
   * The Git status report (the one status publisher): told of each NodeClaim deleted by a timeout, and of launches
   * the provisioner did not report.
   */
  readonly status?: {
    record(event: Parameters<NodeClaimStatusSink["record"]>[0] | Parameters<LaunchStatusSink["record"]>[0]): void;
  };
}

export class NodeClaimLifecycle {
  readonly #o: NodeClaimLifecycleOptions;
  readonly #timeouts: LivenessTimeouts;
  readonly #inFlight = new InFlight();
  readonly #running = new Map<string, Promise<void>>();
  readonly #again = new Set<string>();
  readonly #timers = new Map<string, Timer>();
  readonly #failures = new Map<string, { count: number; retryAt: number }>();
  #unsubscribe: (() => void)[] = [];
  /** When this controller started: a launch written before it is a previous process's, perhaps unreported. */
  readonly #startedAt: number;
  /** NodeClaims whose launch this controller has reported or seen reported. */
  readonly #reported = new Set<string>();

  constructor(options: NodeClaimLifecycleOptions) {
    this.#o = options;
    this.#startedAt = options.clock.now().getTime();
    this.#timeouts = {
      launchMs: options.timeouts?.launchMs ?? LAUNCH_TIMEOUT_MS,
      registrationMs: options.timeouts?.registrationMs ?? REGISTRATION_TIMEOUT_MS,
    };
  }

  /** Reconciles every NodeClaim now and on every change of a NodeClaim or a Node from then on. */
  start(): this {
    const { cluster } = this.#o;
    this.#unsubscribe = [
      cluster.onChange("nodeclaims", (change) => {
        if (change.type === "deleted") {
          this.#forget(change.object.metadata.name ?? "");
          this.#reported.delete(change.object.metadata.name ?? "");
        } else this.enqueue(change.object.metadata.name ?? "");
      }),
      cluster.onChange("nodes", (change) => {
        const claim = this.#claimOfNode(change.object);
        if (claim !== undefined) this.enqueue(claim.metadata.name ?? "");
      }),
    ];
    for (const claim of cluster.list("nodeclaims")) this.enqueue(claim.metadata.name ?? "");
    return this;
  }

  stop(): void {
    for (const unsubscribe of this.#unsubscribe) unsubscribe();
    this.#unsubscribe = [];
    for (const timer of this.#timers.values()) timer.stop();
    this.#timers.clear();
  }

  /** Resolves once no reconcile is under way. */
  idle(): Promise<void> {
    return this.#inFlight.idle();
  }

  /** Whether a reconcile is under way. */
  get busy(): boolean {
    return this.#inFlight.busy;
  }

  /** Reconciles the NodeClaim (again, after the one under way if any). */
  enqueue(name: string): void {
    if (name === "") return;
    if (this.#running.has(name)) {
      this.#again.add(name);
      return;
    }
    const run = this.#inFlight.track(
      this.reconcile(name)
        .catch((error: unknown) => {
          this.#o.logger?.error({ nodeClaim: name, error: String(error) }, "reconciling nodeclaim failed");
          this.#armAt(name, this.#o.clock.now().getTime() + LAUNCH_RETRY_MIN_MS);
        })
        .finally(() => {
          this.#running.delete(name);
          if (this.#again.delete(name)) this.enqueue(name);
        }),
    );
    this.#running.set(name, run);
  }

  /** One step of the NodeClaim's lifecycle. */
  async reconcile(name: string): Promise<void> {
    const { cluster, clock } = this.#o;
    const claim = cluster.get("nodeclaims", { name });
    if (claim === undefined || claim.metadata.deletionTimestamp) return;
    const now = clock.now();
    const live = liveness(claim, now, this.#timeouts);
    if (live.verdict === "timed-out") {
      this.#o.logger?.warn({ nodeClaim: name }, live.message);
      await this.#event(livenessEvent(claim, live.message));
      // Reported only when this delete requested it: a NodeClaim someone else deleted meanwhile is not ours to tell.
      if (await this.#delete(name))
        this.#o.status?.record({ kind: "timed-out", ...poolOf(claim), node: name, reason: live.message });
      return;
    }
    if (live.deadline !== undefined) this.#armAt(name, live.deadline.getTime());
    if (!isConditionTrue(claim, CONDITION_LAUNCHED)) {
      await this.#launch(claim, now.getTime(), live.deadline?.getTime());
      return;
    }
    this.#reportRecovered(claim);
    const node = this.#nodeOf(claim);
    if (node === undefined) return;
    if (!isConditionTrue(claim, CONDITION_REGISTERED)) {
      await this.#register(claim, node);
      return;
    }
    if (!isConditionTrue(claim, CONDITION_INITIALIZED) && notInitializedBecause(node, claim) === undefined) {
      await this.#initialize(claim, node);
    }
  }

  async #launch(claim: NodeClaim, now: number, deadline: number | undefined): Promise<void> {
    const name = claim.metadata.name ?? "";
    const failure = this.#failures.get(name);
    if (failure !== undefined && now < failure.retryAt) {
      // One timer per NodeClaim carries both the retry and the launch timeout: the earlier of them.
      this.#armAt(name, Math.min(failure.retryAt, deadline ?? Number.POSITIVE_INFINITY));
      return;
    }
    const outcome = await this.#o.launcher.launch(claim);
    // A launch the provisioner took no part in is reported here, whoever created the NodeClaim: the provisioner
    // reports only a launch its own attempt saw through, so one retried here after its attempt failed was nobody's.
    if (outcome.outcome === "launched") this.#reportRecovered(outcome.nodeClaim, { unreported: !outcome.reported });
    if (outcome.outcome === "failed") {
      const count = (failure?.count ?? 0) + 1;
      const delay = Math.min(LAUNCH_RETRY_MAX_MS, LAUNCH_RETRY_MIN_MS * 2 ** (count - 1));
      const retryAt = this.#o.clock.now().getTime() + delay;
      this.#failures.set(name, { count, retryAt });
      this.#armAt(name, Math.min(retryAt, deadline ?? Number.POSITIVE_INFINITY));
    } else {
      this.#failures.delete(name);
    }
  }

  /**
   * Reports the launch of a NodeClaim a previous process created (a second before this controller started, at
   * least: creation times are whole seconds): that process may have died before its provisioner reported it, or
   * before it launched it at all. The provisioner reports what this process creates and launches; a launch made
   * here without it (`unreported`: retried after the provisioner's attempt failed) is reported here.
   */
  #reportRecovered(claim: NodeClaim, options: { unreported?: boolean } = {}): void {
    const name = claim.metadata.name ?? "";
    if (this.#o.status === undefined || this.#reported.has(name) || launchedAt(claim) === undefined) return;
    const created = Date.parse(claim.metadata.creationTimestamp ?? "");
    const previous = !Number.isNaN(created) && created <= this.#startedAt - 1_000;
    if (!previous && options.unreported !== true) return;
    this.#reported.add(name);
    const event = launchReport(claim, previous ? "restart" : "lifecycle");
    if (event !== undefined) this.#o.status.record(event);
  }

  async #register(claim: NodeClaim, node: Node): Promise<void> {
    const { cluster, clock } = this.#o;
    const name = claim.metadata.name ?? "";
    const nodeName = node.metadata.name ?? "";
    await mutateWithRetry<Node>(cluster, "nodes", { name: nodeName }, (current) => {
      const next = registeredNode(current, claim);
      if (JSON.stringify(next) === JSON.stringify(current)) return false;
      Object.assign(current, next);
      return true;
    });
    await patchCondition(
      cluster,
      clock,
      claim,
      { type: CONDITION_REGISTERED, status: "True", reason: CONDITION_REGISTERED, message: "" },
      { nodeName },
    );
    await this.#event(registeredEvent(claim, nodeName));
    this.#o.logger?.info({ nodeClaim: name, node: nodeName }, "registered nodeclaim");
    this.#recordObservedCapacity(claim, node);
  }

  async #initialize(claim: NodeClaim, node: Node): Promise<void> {
    const { cluster, clock } = this.#o;
    const name = claim.metadata.name ?? "";
    await mutateWithRetry<Node>(cluster, "nodes", { name: node.metadata.name ?? "" }, (current) => {
      if (current.metadata.labels?.[LABEL_INITIALIZED] === "true") return false;
      current.metadata.labels = { ...current.metadata.labels, [LABEL_INITIALIZED]: "true" };
      return true;
    });
    await patchCondition(cluster, clock, claim, {
      type: CONDITION_INITIALIZED,
      status: "True",
      reason: CONDITION_INITIALIZED,
      message: "",
    });
    this.#o.logger?.info({ nodeClaim: name, node: node.metadata.name }, "initialized nodeclaim");
  }

  #recordObservedCapacity(claim: NodeClaim, node: Node): void {
    const sink = this.#o.observedCapacity;
    const memory = node.status?.capacity?.["memory"];
    const instanceType = node.metadata.labels?.[LABEL_INSTANCE_TYPE] ?? claim.metadata.labels?.[LABEL_INSTANCE_TYPE];
    const nodeClass: EC2NodeClass | undefined = this.#o.cluster.get("ec2nodeclasses", {
      name: claim.spec.nodeClassRef.name,
    });
    if (sink === undefined || memory === undefined || instanceType === undefined || nodeClass === undefined) return;
    sink.recordObservedCapacity(instanceType, nodeClass, memory);
  }

  #nodeOf(claim: NodeClaim): Node | undefined {
    const providerID = claim.status?.providerID;
    if (!providerID) return undefined;
    return this.#o.cluster.list("nodes").find((node) => node.spec?.providerID === providerID);
  }

  #claimOfNode(node: Node): NodeClaim | undefined {
    const providerID = node.spec?.providerID;
    if (!providerID) return undefined;
    return this.#o.cluster.list("nodeclaims").find((claim) => claim.status?.providerID === providerID);
  }

  /** Whether the NodeClaim was there to delete. */
  async #delete(name: string): Promise<boolean> {
    try {
      await this.#o.cluster.delete("nodeclaims", { name });
      return true;
    } catch (error) {
      if (!isNotFound(error)) throw error;
      return false;
    }
  }

  #event(record: EventRecord): Promise<void> {
    return recordEvent(this.#o.cluster, record, this.#o.logger);
  }

  #armAt(name: string, at: number): void {
    this.#timers.get(name)?.stop();
    const delay = Math.max(0, at - this.#o.clock.now().getTime());
    this.#timers.set(
      name,
      this.#o.clock
        .afterFunc(delay, () => {
          this.#timers.delete(name);
          this.enqueue(name);
        })
        .unref(),
    );
  }

  #forget(name: string): void {
    this.#timers.get(name)?.stop();
    this.#timers.delete(name);
    this.#failures.delete(name);
  }
}
