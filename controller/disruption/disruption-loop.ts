/**
 * The disruption loop (Karpenter's disruption/controller.go `Reconcile`, polled every 10 s, with its orchestration
 * queue's execution): each pass reads cluster state from the Cluster port's cache, the desired NodePools and their
 * instance types from the cloud provider, asks the cloud provider whether each managed NodeClaim has drifted,
 * builds the snapshot and plans. It reports the plan (Events, the NodePools' `RolledOut` condition, the Git status
 * report), then carries out the commands one at a time: expirations at once; a graceful command after its 15 s
 * re-validation over fresh cluster state, its replacements created as NodeClaims the NodeClaim lifecycle launches,
 * and its candidates handed to the termination controller (`beginTermination`) once they are initialized. The
 * first pass finishes or rolls back what a previous process left half-done. With `options.dryRun` (`run --dry-run`)
 * every command is a report: Events and status events are written, nothing else (no recovery, no NodePool status).
 */
import type { Cluster, EC2NodeClass, NodeClaim, NodePool, TimerClock } from "../../api/index.ts";
import {
  type CloudProvider,
  type DriftReason,
  type InstanceType,
  LABEL_INSTANCE_TYPE,
} from "../../cloudprovider/index.ts";
import type { Logger } from "../../runtime/index.ts";
import { InFlight } from "../in-flight.ts";
import { reconcileLoop } from "../manager/index.ts";
import type { ReconcileContext, ReconcileResult, Reconciler, Runnable } from "../manager/index.ts";
import { LABEL_NODE_POOL } from "../provisioning/index.ts";
import { type ClusterState, type Nominations, readClusterState } from "../state/index.ts";
import { disruptionSnapshot } from "./build-snapshot.ts";
import { type DisruptionMetrics, recordExecution, recordPlan } from "./disruption-metrics.ts";
import type { DisruptionCommand } from "./command.ts";
import type { DesiredState } from "./desired-state.ts";
import { planEvents, recordAll } from "./events.ts";
import { DisruptionExecutor, type ExecutionResult } from "./executor.ts";
import type { DisruptionOptions } from "./options.ts";
import { type DisruptionPlan, planYielding } from "./plan.ts";
import { revalidate } from "./revalidate.ts";
import { writeRolloutStatus } from "./rollout-status.ts";
import type { RolloutProgress } from "./rollout.ts";
import type { DisruptionSnapshot } from "./snapshot.ts";
import { DisruptionStatusReport } from "./status-report.ts";
import type { DisruptionStatusSink } from "./status-sink.ts";

/** Karpenter's disruption poll period (disruption/controller.go `pollingPeriod`). */
export const DISRUPTION_POLL_INTERVAL_MS = 10_000;

export interface DisruptionLoopDependencies {
  readonly cluster: Cluster;
  readonly cloudProvider: CloudProvider;
  readonly clock: TimerClock;
  /** The one status publisher (gitops's StatusPublisher satisfies this). */
  readonly status?: DisruptionStatusSink;
  /** Provisioning's nominations: a node just nominated for pending pods is not a candidate for 20 s. */
  readonly nominations?: Nominations;
  /** The Git commit the desired NodePools were applied from, recorded on replacements for rollout progress. */
  readonly commit?: () => string | undefined;
  readonly options?: DisruptionOptions;
  /** Made once per process (a registry takes each name once); the loop is built afresh each leadership. */
  readonly metrics?: DisruptionMetrics;
  readonly pollIntervalMs?: number;
  readonly initializationTimeoutMs?: number;
  /** Each pass's rollout progress of every NodePool (dry runs too): the status files' drift figures. */
  readonly onRollout?: (rollout: readonly RolloutProgress[]) => void;
}

/** What one pass saw, planned and did. */
export interface DisruptionPass {
  readonly plan: DisruptionPlan;
  readonly results: readonly ExecutionResult[];
}

/** What a pass decides from, but cluster state: read once per pass (the cloud calls are async). */
interface PassInputs {
  readonly desired: DesiredState;
  readonly instanceTypes: ReadonlyMap<string, readonly InstanceType[]>;
  readonly cloudDrift: ReadonlyMap<string, DriftReason>;
}

/** The loop as the run program registers it: one entry, a pass at start and every 10 s. */
export function disruptionLoop(deps: DisruptionLoopDependencies): Runnable {
  return reconcileLoop(new DisruptionController(deps));
}

export class DisruptionController implements Reconciler {
  readonly name = "disruption";
  readonly #d: DisruptionLoopDependencies;
  readonly #report = new DisruptionStatusReport();
  /**
   * The pass's calls to the cloud provider and its planning (which hands the event loop back between simulations):
   * a test on a virtual clock waits for them before moving time.
   */
  readonly #cloudCalls = new InFlight();
  #recovered = false;
  /** The last pass, for tests and the `plan` command's explanations. */
  last: DisruptionPass | undefined;

  constructor(deps: DisruptionLoopDependencies) {
    this.#d = deps;
  }

  /** Whether the pass is waiting for the cloud provider or planning (not for time, nor for another controller). */
  get busy(): boolean {
    return this.#cloudCalls.busy;
  }

  idle(): Promise<void> {
    return this.#cloudCalls.idle();
  }

  async reconcile(context: ReconcileContext): Promise<ReconcileResult> {
    await this.pass(context.signal, context.logger);
    return { requeueAfterMs: this.#d.pollIntervalMs ?? DISRUPTION_POLL_INTERVAL_MS };
  }

  /** One pass: recover (first pass only), plan, report, execute until `signal` is aborted. */
  async pass(signal?: AbortSignal, logger?: Logger): Promise<DisruptionPass> {
    const { cluster, clock, options } = this.#d;
    const commit = this.#d.commit?.();
    const executor = this.#executor(commit, signal);
    const results: ExecutionResult[] = [];
    // A dry run changes nothing: what a previous process left is left to the next process that acts.
    const dryRun = options?.dryRun === true;
    if (!this.#recovered && !dryRun) {
      for (const result of await executor.recover()) results.push(this.#reported(result, commit));
      this.#recovered = true;
    }
    const inputs = await this.#cloudCalls.track(this.#inputs(commit, logger));
    // The plan judges the snapshot taken here, however long it takes; other controllers run between its simulations.
    const planned = await this.#cloudCalls.track(
      planYielding(this.#snapshot(inputs), inputs.desired, inputs.instanceTypes, clock, options),
    );
    for (const { method, message } of planned.timeouts) logger?.warn({ method }, message);
    for (const problem of planned.problems) logger?.error({ problem }, "NodePool left alone by disruption");
    if (this.#d.metrics !== undefined) recordPlan(this.#d.metrics, planned);
    await recordAll(cluster, planEvents(planned));
    // Events and the status report are a dry run's output; the NodePools' status is not.
    this.#d.onRollout?.(planned.rollout);
    if (!dryRun) for (const progress of planned.rollout) await writeRolloutStatus(cluster, progress, clock.now());
    for (const event of this.#report.planned(planned, commit)) this.#d.status?.record(event);
    for (const command of planned.commands) {
      if (signal?.aborted) break;
      if (!(await this.#untilValidation(command, signal))) break;
      const result = await executor.execute(command, () =>
        revalidate(command, this.#snapshot(inputs), inputs.desired, inputs.instanceTypes, clock, options),
      );
      logger?.info({ command: command.id, reason: command.reason, outcome: result.outcome }, command.message);
      if (this.#d.metrics !== undefined) recordExecution(this.#d.metrics, result);
      results.push(this.#reported(result, commit));
    }
    this.last = { plan: planned, results };
    return this.last;
  }

  #reported(result: ExecutionResult, commit: string | undefined): ExecutionResult {
    for (const event of this.#report.executed(result, commit)) this.#d.status?.record(event);
    return result;
  }

  #executor(commit: string | undefined, signal: AbortSignal | undefined): DisruptionExecutor {
    const { cluster, clock, initializationTimeoutMs } = this.#d;
    return new DisruptionExecutor({
      cluster,
      clock,
      ...(signal === undefined ? {} : { signal }),
      ...(commit === undefined ? {} : { commit }),
      ...(initializationTimeoutMs === undefined ? {} : { initializationTimeoutMs }),
    });
  }

  /** Waits until the command's re-validation is due; false when stopped first (nothing was written yet). */
  async #untilValidation(command: DisruptionCommand, signal: AbortSignal | undefined): Promise<boolean> {
    const wait = (command.validateAt?.getTime() ?? 0) - this.#d.clock.now().getTime();
    if (command.forceful || command.dryRun || wait <= 0) return true;
    if (signal?.aborted) return false;
    return new Promise((resolve) => {
      const onAbort = () => {
        timer.stop();
        resolve(false);
      };
      const timer = this.#d.clock.afterFunc(wait, () => {
        signal?.removeEventListener("abort", onAbort);
        resolve(true);
      });
      signal?.addEventListener("abort", onAbort, { once: true });
    });
  }

  #snapshot(inputs: PassInputs): DisruptionSnapshot {
    const { cluster, clock, nominations } = this.#d;
    const state: ClusterState = readClusterState(cluster, {
      clock,
      ...(nominations === undefined ? {} : { nominations }),
      instanceTypeOf: (claim) =>
        inputs.instanceTypes
          .get(claim.metadata.labels?.[LABEL_NODE_POOL] ?? "")
          ?.find((it) => it.name === claim.metadata.labels?.[LABEL_INSTANCE_TYPE]),
    });
    return disruptionSnapshot(state, cluster.list("poddisruptionbudgets"), {
      cloudDrift: inputs.cloudDrift,
      ...(nominations === undefined ? {} : { nominations: nominations.snapshot() }),
    });
  }

  async #inputs(commit: string | undefined, logger: Logger | undefined): Promise<PassInputs> {
    const { cluster, cloudProvider } = this.#d;
    const nodePools = cluster
      .list("nodepools")
      .filter((p) => p.metadata?.deletionTimestamp === undefined && p.spec.replicas === undefined);
    const nodeClassOf = (pool: NodePool): EC2NodeClass | undefined =>
      cluster.get("ec2nodeclasses", { name: pool.spec.template.spec.nodeClassRef.name });
    const instanceTypes = new Map<string, InstanceType[]>();
    for (const pool of nodePools) {
      const nodeClass = nodeClassOf(pool);
      const name = pool.metadata?.name ?? "";
      try {
        instanceTypes.set(name, nodeClass === undefined ? [] : await cloudProvider.getInstanceTypes(pool, nodeClass));
      } catch (error) {
        logger?.error({ nodePool: name, err: String(error) }, "listing instance types failed");
        instanceTypes.set(name, []);
      }
    }
    const byName = new Map(nodePools.map((p) => [p.metadata?.name ?? "", p]));
    const cloudDrift = new Map<string, DriftReason>();
    for (const claim of cluster.list("nodeclaims")) {
      const drift = await this.#cloudDrift(claim, byName, nodeClassOf, logger);
      if (drift !== undefined) cloudDrift.set(claim.metadata.name ?? "", drift);
    }
    return { desired: { nodePools, ...(commit === undefined ? {} : { commit }) }, instanceTypes, cloudDrift };
  }

  // Only launched NodeClaims of desired pools are asked; an error is logged and read as not drifted.
  async #cloudDrift(
    claim: NodeClaim,
    pools: ReadonlyMap<string, NodePool>,
    nodeClassOf: (pool: NodePool) => EC2NodeClass | undefined,
    logger: Logger | undefined,
  ): Promise<DriftReason | undefined> {
    const pool = pools.get(claim.metadata.labels?.[LABEL_NODE_POOL] ?? "");
    const nodeClass = pool === undefined ? undefined : nodeClassOf(pool);
    if (pool === undefined || nodeClass === undefined || claim.status?.providerID === undefined) return undefined;
    if (claim.metadata.deletionTimestamp !== undefined) return undefined;
    try {
      return await this.#d.cloudProvider.isDrifted(claim, pool, nodeClass);
    } catch (error) {
      logger?.error({ nodeClaim: claim.metadata.name, err: String(error) }, "asking for drift failed");
      return undefined;
    }
  }
}
