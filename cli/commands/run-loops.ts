// The loops `poolkeeper run` hosts, registered with the controller manager in one place: each runs only while
// this replica leads and no Karpenter controller holds its lease. The Git sync, which applies each accepted state
// to the cluster as `sync --apply` does, then the autoscaler's loops (autoscaler-loops.ts: provisioning, the
// NodeClaim lifecycle and garbage collection, termination, disruption, and interruption with a queue). Each is one
// entry in `controllerLoops`, built from `ControllerDependencies` — the real adapters, the settings and the one
// status publisher — and wrapped with `reconcileLoop` when it is a Reconciler.
import type { AwsPorts, Cluster, InterruptionQueue, TimerClock } from "../../api/index.ts";
import type { Runnable } from "../../controller/index.ts";
import {
  ClusterSync,
  createClusterSyncMetrics,
  startSyncLoop,
  type StatusPublisher,
  type SyncResult,
  type Syncer,
} from "../../gitops/index.ts";
import type { Logger } from "../../runtime/index.ts";
import type { Registry } from "prom-client";
import type { ControllerSettings } from "../run-settings.ts";
import { autoscalerLoops } from "./autoscaler-loops.ts";
import type { NodeBootstrap } from "./node-bootstrap.ts";

/** What the loops are built from. */
export interface ControllerDependencies {
  settings: ControllerSettings;
  /** The Cluster port over the API server, its caches synced. */
  cluster: Cluster;
  /** EC2, SSM and IAM over the SDK (region, credentials, endpoints from the default chain unless overridden). */
  aws: AwsPorts;
  /** The region the AWS clients use. */
  region: () => Promise<string>;
  /** What the nodes' user data says about the cluster (settings, else discovered), resolved when first acting. */
  bootstrap: () => Promise<NodeBootstrap>;
  /** With --interruption-queue. */
  interruptionQueue?: InterruptionQueue;
  /** The one status publisher: every action and non-action with its reason goes to Git through it. */
  publisher?: StatusPublisher;
  registry: Registry;
  clock: TimerClock;
  logger: Logger;
  git: GitSyncDependencies;
}

export interface GitSyncDependencies {
  syncer: Syncer;
  pollIntervalMs: number;
  /** The push hook's trigger, pointed at the running loop while there is one. */
  pushes: PushTrigger;
  onSync?: (result: SyncResult) => void;
  /** Applies a sync's last good state to the cluster (after each sync, accepted or not: the last good state). */
  apply?: (result: SyncResult) => Promise<unknown>;
}

/** Where the push hook sends a verified push: the sync loop while it runs, nowhere while standing by. */
export class PushTrigger {
  #target: (() => void) | undefined;

  set target(trigger: (() => void) | undefined) {
    this.#target = trigger;
  }

  trigger(): void {
    this.#target?.();
  }
}

/** The registration point: every loop `run` starts while it acts, in start order. */
export function controllerLoops(deps: ControllerDependencies): Runnable[] {
  const appliedCommit = () => deps.git.syncer.desiredState?.sha;
  // A dry run decides and reports, and changes nothing: the status branch and Events are written; nothing is
  // applied, launched, tainted or deleted (provisioning and disruption report what they would do).
  if (deps.settings.dryRun)
    return [gitSyncLoop(deps.git), ...autoscalerLoops({ ...deps, appliedCommit, dryRun: true })];
  const clusterSync = new ClusterSync({
    cluster: deps.cluster,
    logger: deps.logger.child({ controller: "gitops.apply" }),
    metrics: createClusterSyncMetrics(deps.registry),
    ...(deps.publisher ? { publisher: deps.publisher } : {}),
  });
  return [
    gitSyncLoop({ ...deps.git, apply: (result) => applyLastGood(clusterSync, result, deps.logger) }),
    ...autoscalerLoops({ ...deps, appliedCommit }),
  ];
}

/** As `sync --apply`: the last good state a sync left in force, applied; refusals are reported, not thrown. */
async function applyLastGood(clusterSync: ClusterSync, result: SyncResult, logger: Logger): Promise<void> {
  if (!result.desiredState) return;
  const applied = await clusterSync.reconcile(result.desiredState);
  if (applied.failed.length > 0) logger.error({ failed: applied.failed }, "some objects could not be applied");
}

/** `sync`'s loop (poll with jitter and backoff, push-hook triggers coalesced) as a runnable. */
export function gitSyncLoop(git: GitSyncDependencies): Runnable {
  return {
    name: "gitops.sync",
    async start({ signal, clock, logger }) {
      const apply = git.apply;
      const loop = startSyncLoop({
        sync: async () => {
          const result = await git.syncer.sync();
          await apply?.(result);
          return result;
        },
        intervalMs: git.pollIntervalMs,
        signal,
        clock,
        ...(git.onSync ? { onSync: git.onSync } : {}),
        onError: (error) =>
          logger.error({ err: error instanceof Error ? error.message : String(error) }, "sync crashed"),
      });
      git.pushes.target = () => loop.trigger();
      try {
        await loop.done;
      } finally {
        git.pushes.target = undefined;
      }
    },
  };
}
