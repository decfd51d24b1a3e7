/**
 * The provisioning loop (Karpenter's core:pkg/controllers/provisioning/provisioner.go `Reconcile` / `Schedule` /
 * `CreateNodeClaims`, and the pod and node triggers of provisioning/controller.go): a provisionable pod no
 * nomination holds, a NodeClaim gone, or a node deleted opens the batch window; when it closes, cluster state is
 * read from the Cluster port's cache, each NodePool's instance types come from the cloud provider, and the pure
 * scheduler decides. Pods placed on existing or in-flight capacity are nominated there; each new NodeClaim is
 * created (with its finalizer and hash annotations), its pods nominated to it, and launched through the shared
 * Launcher. A NodeClaim the cloud could not fill is deleted by the launch and its pods scheduled again at once,
 * against offerings the provider now marks unavailable (so spot falls back to another spot offering, and to
 * on-demand only where the pool allows it). Pods nothing can take get a FailedScheduling event with each pool's
 * explanation, and the batch one `pending` status event for Git. One run at a time; a window closing during a run
 * starts another after it. Each NodeClaim records the Git commit the desired NodePools were read at (rollout progress
 * counts by it). A dry run (`run --dry-run`, which Karpenter has no equivalent of) decides the same and reports each
 * would-be launch instead: nothing is created, nominated or launched, so the pods stay pending and the same launches
 * are not reported again; pods nothing can take still get their FailedScheduling Event.
 */
import type {
  Cluster,
  EC2NodeClass,
  EventRecord,
  NodeClaim,
  NodePool,
  Pod,
  Timer,
  TimerClock,
} from "../../api/index.ts";
import { ValueError } from "../../api/index.ts";
import {
  type CloudProvider,
  type InstanceType,
  LABEL_CAPACITY_TYPE,
  LABEL_INSTANCE_TYPE,
  LABEL_ZONE,
} from "../../cloudprovider/index.ts";
import type { Logger } from "../../runtime/index.ts";
import { recordEvent } from "../record-event.ts";
import { InFlight } from "../in-flight.ts";
import type { Launcher } from "../nodeclaim/index.ts";
import {
  CONDITION_INITIALIZED,
  type ClusterState,
  DEFAULT_NOMINATION_WINDOW_MS,
  isConditionTrue,
  Nominations,
  podKeyOf,
  readClusterState,
} from "../state/index.ts";
import { Batcher, type BatcherOptions } from "./batcher.ts";
import { hourlyCostByPool, launchedPrice } from "./hourly-cost.ts";
import { nodeClaimToCreate } from "./nodeclaim-to-create.ts";
import { LABEL_NODE_POOL, nodePoolTemplate, type NodePoolTemplate } from "./nodepool-template.ts";
import { isProvisionable } from "./provisionable.ts";
import { EventDedupe, FAILED_SCHEDULING_DEDUPE_MS } from "./event-dedupe.ts";
import { failedSchedulingEvent, nominatedEvent } from "./provisioning-events.ts";
import type { ProvisioningMetrics } from "./provisioning-metrics.ts";
import { type NewNodeClaim, schedule, type ScheduleResult } from "./scheduler.ts";
import { dryRunEvent } from "./dry-run-report.ts";
import type { UnavailableOffering } from "./snapshot.ts";
import { pendingEvent, provisionedEvent, type ProvisioningStatusSink } from "./status-report.ts";

export interface ProvisionerOptions {
  readonly cluster: Cluster;
  readonly cloudProvider: CloudProvider;
  readonly launcher: Launcher;
  readonly clock: TimerClock;
  /** Shared with disruption, which must not count nominated capacity as free. */
  readonly nominations?: Nominations;
  readonly batch?: BatcherOptions;
  readonly nominationWindowMs?: number;
  readonly metrics?: ProvisioningMetrics;
  readonly status?: ProvisioningStatusSink;
  readonly logger?: Logger;
  /** The Git commit the desired NodePools were read at, recorded on each NodeClaim created. */
  readonly commit?: () => string | undefined;
  /** Report what would be launched without creating anything. */
  readonly dryRun?: boolean;
}

/** What one run decided and did. */
export interface Provisioned {
  readonly result: ScheduleResult | undefined;
  /** NodeClaims created and launched. */
  readonly launched: readonly string[];
  /** NodeClaims created and deleted again because no offering could be launched. */
  readonly insufficientCapacity: readonly string[];
}

const NOTHING: Provisioned = { result: undefined, launched: [], insufficientCapacity: [] };

export class Provisioner {
  readonly #o: ProvisionerOptions;
  readonly nominations: Nominations;
  readonly #batcher: Batcher;
  readonly #inFlight = new InFlight();
  #running: Promise<Provisioned> | undefined;
  #again = false;
  #lapseTimer: { timer: Timer; due: number } | undefined;
  /** performance.now() when the last batch window closed: the decision's latency is measured from it. */
  #windowClosedAt: number | undefined;
  #unsubscribe: (() => void)[] = [];
  /** The last `pending` status event's sentence, so a batch that changes nothing does not repeat it in Git. */
  #lastPending: string | undefined;
  readonly #dryRunsReported = new Set<string>();
  readonly #dedupe: EventDedupe;

  constructor(options: ProvisionerOptions) {
    this.#o = options;
    this.nominations = options.nominations ?? new Nominations();
    this.#dedupe = new EventDedupe(options.clock);
    this.#batcher = new Batcher(
      options.clock,
      () => {
        this.#windowClosedAt = performance.now();
        this.#afterWindow();
      },
      options.batch,
    );
  }

  start(): this {
    const { cluster } = this.#o;
    this.#unsubscribe = [
      cluster.onChange("pods", (change) => {
        const pod = change.object;
        if (change.type === "deleted" || pod.spec?.nodeName) this.nominations.forget(podKeyOf(pod));
        else if (isProvisionable(pod) && this.nominations.get(podKeyOf(pod)) === undefined) this.#batcher.trigger();
      }),
      cluster.onChange("nodeclaims", (change) => {
        const name = change.object.metadata.name ?? "";
        if (change.type === "deleted") {
          if (this.nominations.forgetTarget(name).length > 0) this.#batcher.trigger();
        } else if (change.type === "updated" && initializedNow(change.previous, change.object)) {
          this.#armLapse((this.#o.nominationWindowMs ?? DEFAULT_NOMINATION_WINDOW_MS) + 1);
        }
      }),
      cluster.onChange("nodes", (change) => {
        if (change.type === "deleted") this.#batcher.trigger();
      }),
      // A NodePool created or its spec changed may take pods nothing could take before (pods applied before their
      // pool, limits raised). Karpenter's pod controller gets there by requeueing every provisionable pod every
      // 10 s (provisioning/controller.go `RequeueAfter`); the pool's change itself is the cause, so it triggers here.
      cluster.onChange("nodepools", (change) => {
        if (change.type === "deleted") return;
        if (change.type === "updated" && change.previous?.metadata.generation === change.object.metadata.generation) {
          return;
        }
        if (this.#pendingUnnominated()) this.#batcher.trigger();
      }),
    ];
    if (cluster.list("pods").some((pod) => isProvisionable(pod))) this.#batcher.trigger();
    return this;
  }

  /** A provisionable pod no nomination holds: what a new batch would schedule. */
  #pendingUnnominated(): boolean {
    return this.#o.cluster
      .list("pods")
      .some((pod) => isProvisionable(pod) && this.nominations.get(podKeyOf(pod)) === undefined);
  }

  stop(): void {
    for (const unsubscribe of this.#unsubscribe) unsubscribe();
    this.#unsubscribe = [];
    this.#batcher.stop();
    this.#lapseTimer?.timer.stop();
  }

  /** Resolves once no run (and no launch it started) is under way. */
  idle(): Promise<void> {
    return this.#inFlight.idle();
  }

  /** Whether a reconcile is under way. */
  get busy(): boolean {
    return this.#inFlight.busy;
  }

  /** Whether a batch window is open. */
  get batching(): boolean {
    return this.#batcher.isOpen;
  }

  #afterWindow(): void {
    if (this.#running !== undefined) {
      this.#again = true;
      return;
    }
    const run = this.provision()
      .catch((error: unknown): Provisioned => {
        this.#o.logger?.error({ error: String(error) }, "provisioning failed");
        return NOTHING;
      })
      .finally(() => {
        this.#running = undefined;
        if (this.#again) {
          this.#again = false;
          this.#afterWindow();
        }
      });
    this.#running = run;
    void this.#inFlight.track(run);
  }

  /** One run: state, schedule, nominate, create and launch. */
  async provision(): Promise<Provisioned> {
    const { clock } = this.#o;
    const began = performance.now();
    const templates = this.#templates();
    const typesByPool = await this.#instanceTypes(templates);
    const typesAt = performance.now();
    const state = this.#state(typesByPool);
    for (const pod of state.lapsed) this.nominations.forget(pod);
    if (state.nextLapse !== undefined) this.#armLapse(state.nextLapse.getTime() - clock.now().getTime() + 1);
    // Each pool's $/h before this run's launches; each launch adds its price for the status report.
    const running = this.#recordCost(state, typesByPool);
    if (state.snapshot.pendingPods.length === 0) {
      this.#lastPending = undefined;
      return NOTHING;
    }

    const started = performance.now();
    let result: ScheduleResult;
    const snapshot = { ...state.snapshot, unavailableOfferings: unavailableOfferings(typesByPool) };
    try {
      result = schedule(snapshot, templates, typesByPool, clock);
    } catch (error) {
      if (!(error instanceof ValueError)) throw error;
      this.#o.logger?.error({ error: error.message }, "scheduling stopped: a DaemonSet cannot be read");
      return NOTHING;
    }
    const scheduled = performance.now();
    this.#o.metrics?.schedulingDuration.observe((scheduled - started) / 1000);
    // Karpenter's provisioner.go logs the same line; the wall time since the batch window closed is the decision's
    // latency (bench/e2e.bench.ts reads it), state and instance types included, and its parts: waiting for the run
    // before it (`queuedMs`), the instance types (the cloud provider's, which may ask EC2), reading the cluster's
    // state from the caches and the scheduler itself.
    const windowClosedAt = this.#windowClosedAt;
    this.#windowClosedAt = undefined;
    this.#o.logger?.info(
      {
        pods: state.snapshot.pendingPods.length,
        nodeClaims: result.newNodeClaims.length,
        onExisting: result.placementsOnExisting.length,
        unschedulable: result.unschedulable.length,
        ...(windowClosedAt === undefined
          ? {}
          : {
              sinceWindowClosedMs: Math.round(scheduled - windowClosedAt),
              queuedMs: Math.round(Math.max(0, began - windowClosedAt)),
            }),
        instanceTypesMs: Math.round(typesAt - began),
        stateMs: Math.round(started - typesAt),
        schedulingMs: Math.round(scheduled - started),
      },
      "computed new nodeclaim(s) to fit pod(s)",
    );
    const pods = new Map(state.snapshot.pendingPods.map((pod) => [podKeyOf(pod), pod]));

    // A dry run nominates nothing (the kube-scheduler binds pods to existing capacity without us).
    const dryRun = this.#o.dryRun === true;
    for (const placement of dryRun ? [] : result.placementsOnExisting) {
      const target = state.nodes.find((n) => n.key === placement.node);
      this.nominations.nominate(placement.pod, placement.node, this.#o.clock.now());
      const pod = pods.get(placement.pod);
      const where = target?.nodeClaim === undefined ? `node/${placement.node}` : `nodeclaim/${placement.node}`;
      if (pod !== undefined) void this.#event(nominatedEvent(pod, where));
    }
    if (!dryRun) this.#o.metrics?.podsScheduled.inc({ destination: "existing" }, result.placementsOnExisting.length);
    this.#o.metrics?.podsUnschedulable.set(result.unschedulable.length);
    for (const unschedulable of result.unschedulable) {
      const pod = pods.get(unschedulable.pod);
      if (pod === undefined) continue;
      const event = failedSchedulingEvent(pod, unschedulable);
      const key = `${pod.metadata.uid ?? podKeyOf(pod)}\n${event.message}`;
      if (this.#dedupe.admit(key, FAILED_SCHEDULING_DEDUPE_MS)) void this.#event(event);
    }
    this.#recordPending(result);
    if (result.unschedulable.length > 0) {
      this.#o.logger?.info(
        { pods: result.unschedulable.length, first: result.unschedulable[0]?.pod },
        "pods cannot be scheduled",
      );
    }

    if (dryRun) return this.#reportDryRun(result);
    const outcomes = await Promise.all(
      result.newNodeClaims.map((claim) => this.#createAndLaunch(claim, pods, typesByPool, running)),
    );
    const launched = outcomes.flatMap((o) => (o.outcome === "launched" ? [o.name] : []));
    const insufficientCapacity = outcomes.flatMap((o) => (o.outcome === "insufficient-capacity" ? [o.name] : []));
    // The provider has marked what it could not launch: schedule those pods again against what is left.
    if (insufficientCapacity.length > 0) this.#batcher.trigger();
    this.#recordCost(this.#state(typesByPool), typesByPool);
    return { result, launched, insufficientCapacity };
  }

  async #createAndLaunch(
    claim: NewNodeClaim,
    pods: ReadonlyMap<string, Pod>,
    typesByPool: ReadonlyMap<string, readonly InstanceType[]>,
    running: Map<string, number>,
  ): Promise<{ outcome: "launched" | "insufficient-capacity" | "failed" | "not-created"; name: string }> {
    const { cluster, launcher, logger, metrics } = this.#o;
    const pool = claim.nodePool.name;
    let created: NodeClaim;
    try {
      created = await cluster.create("nodeclaims", nodeClaimToCreate(claim, this.#o.commit?.()));
    } catch (error) {
      logger?.error({ nodePool: pool, error: String(error) }, "creating nodeclaim failed");
      return { outcome: "not-created", name: "" };
    }
    const name = created.metadata.name ?? "";
    metrics?.podsScheduled.inc({ destination: "new-nodeclaim" }, claim.pods.length);
    for (const key of claim.pods) {
      this.nominations.nominate(key, name, this.#o.clock.now(), { createdFor: true });
      const pod = pods.get(key);
      if (pod !== undefined) void this.#event(nominatedEvent(pod, `nodeclaim/${name}`));
    }
    const outcome = await launcher.launch(created, { reports: this.#o.status !== undefined });
    if (outcome.outcome === "insufficient-capacity") {
      this.nominations.forgetTarget(name);
      metrics?.insufficientCapacity.inc({ nodepool: pool });
      return { outcome: outcome.outcome, name };
    }
    if (outcome.outcome === "failed") return { outcome: outcome.outcome, name };
    const labels = outcome.nodeClaim.metadata.labels ?? {};
    const capacityType = labels[LABEL_CAPACITY_TYPE] ?? claim.capacityType;
    metrics?.nodeClaimsLaunched.inc({ nodepool: pool, capacity_type: capacityType });
    const price = launchedPrice(typesByPool.get(pool) ?? [], labels);
    const poolHourlyCost = (running.get(pool) ?? 0) + (price ?? 0);
    running.set(pool, poolHourlyCost);
    this.#o.status?.record(
      provisionedEvent({
        pool,
        nodeClaim: name,
        instanceType: labels[LABEL_INSTANCE_TYPE] ?? "?",
        zone: labels[LABEL_ZONE] ?? "?",
        capacityType,
        price,
        pods: claim.pods,
        poolHourlyCost,
      }),
    );
    return { outcome: "launched", name };
  }

  /** Each would-be launch reported once (the pods stay pending, so the next run decides the same). */
  #reportDryRun(result: ScheduleResult): Provisioned {
    for (const claim of result.newNodeClaims) {
      const key = `${claim.nodePool.name}\u0000${claim.instanceTypes[0] ?? ""}\u0000${[...claim.pods].sort().join(",")}`;
      if (this.#dryRunsReported.has(key)) continue;
      this.#dryRunsReported.add(key);
      const event = dryRunEvent(claim);
      this.#o.logger?.info({ nodePool: claim.nodePool.name, pods: claim.pods.length }, event.reason);
      this.#o.status?.record(event);
    }
    return { result, launched: [], insufficientCapacity: [] };
  }

  /** The NodePools that provision (not being deleted, not static), read; one that cannot be read is logged. */
  #templates(): NodePoolTemplate[] {
    return this.#o.cluster.list("nodepools").flatMap((nodePool) => {
      if (nodePool.metadata?.deletionTimestamp || nodePool.spec.replicas !== undefined) return [];
      try {
        return [nodePoolTemplate(nodePool)];
      } catch (error) {
        if (!(error instanceof ValueError)) throw error;
        this.#o.logger?.error({ error: error.message }, "NodePool skipped");
        return [];
      }
    });
  }

  async #instanceTypes(templates: readonly NodePoolTemplate[]): Promise<Map<string, InstanceType[]>> {
    const entries = await Promise.all(
      templates.map(async (template): Promise<[string, InstanceType[]]> => {
        const nodeClass = this.#nodeClassOf(template.nodePool);
        if (nodeClass === undefined) return [template.name, []];
        try {
          return [template.name, await this.#o.cloudProvider.getInstanceTypes(template.nodePool, nodeClass)];
        } catch (error) {
          this.#o.logger?.error({ nodePool: template.name, error: String(error) }, "listing instance types failed");
          return [template.name, []];
        }
      }),
    );
    return new Map(entries);
  }

  #nodeClassOf(nodePool: NodePool): EC2NodeClass | undefined {
    return this.#o.cluster.get("ec2nodeclasses", { name: nodePool.spec.template.spec.nodeClassRef.name });
  }

  #state(typesByPool: ReadonlyMap<string, readonly InstanceType[]>): ClusterState {
    return readClusterState(this.#o.cluster, {
      clock: this.#o.clock,
      nominations: this.nominations,
      withVolumes: true,
      instanceTypeOf: (claim) =>
        typesByPool
          .get(claim.metadata.labels?.[LABEL_NODE_POOL] ?? "")
          ?.find((it) => it.name === claim.metadata.labels?.[LABEL_INSTANCE_TYPE]),
      ...(this.#o.nominationWindowMs === undefined ? {} : { nominationWindowMs: this.#o.nominationWindowMs }),
    });
  }

  /** One status event per batch that leaves pods pending, unless it says what the last one said. */
  #recordPending(result: ScheduleResult): void {
    const event = pendingEvent(result.unschedulable);
    if (event?.reason === this.#lastPending) return;
    this.#lastPending = event?.reason;
    if (event !== undefined) this.#o.status?.record(event);
  }

  /** Each pool's $/h into the gauge; returned too. */
  #recordCost(state: ClusterState, typesByPool: ReadonlyMap<string, readonly InstanceType[]>): Map<string, number> {
    const costs = hourlyCostByPool(state.nodes, typesByPool);
    const gauge = this.#o.metrics?.hourlyCost;
    if (gauge !== undefined) for (const [pool, cost] of costs) gauge.set({ nodepool: pool }, cost);
    return costs;
  }

  /** Opens a window when nominations lapse, so pods the kube-scheduler did not bind are provisioned for again. */
  #armLapse(delayMs: number): void {
    const { clock } = this.#o;
    const due = clock.now().getTime() + Math.max(1, delayMs);
    if (this.#lapseTimer !== undefined && this.#lapseTimer.due <= due) return;
    this.#lapseTimer?.timer.stop();
    const timer = clock
      .afterFunc(due - clock.now().getTime(), () => {
        this.#lapseTimer = undefined;
        if (this.#o.cluster.list("pods").some((pod) => isProvisionable(pod))) this.#batcher.trigger();
      })
      .unref();
    this.#lapseTimer = { timer, due };
  }

  #event(record: EventRecord): Promise<void> {
    return this.#inFlight.track(recordEvent(this.#o.cluster, record, this.#o.logger));
  }
}

/** The offerings the provider's unavailable-offerings cache holds, with their expiry, for the ICE explanation. */
function unavailableOfferings(typesByPool: ReadonlyMap<string, readonly InstanceType[]>): UnavailableOffering[] {
  const found = new Map<string, UnavailableOffering>();
  for (const types of typesByPool.values()) {
    for (const it of types) {
      for (const o of it.offerings.items) {
        if (o.unavailableUntil === undefined) continue;
        const entry = { instanceType: it.name, zone: o.zone, capacityType: o.capacityType, until: o.unavailableUntil };
        found.set(`${it.name}:${o.zone}:${o.capacityType}`, entry);
      }
    }
  }
  return [...found.values()];
}

function initializedNow(previous: NodeClaim, current: NodeClaim): boolean {
  return !isConditionTrue(previous, CONDITION_INITIALIZED) && isConditionTrue(current, CONDITION_INITIALIZED);
}
