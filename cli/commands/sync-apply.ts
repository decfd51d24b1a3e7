// The cluster side of `poolkeeper sync --apply` (policy mode, beside Karpenter): the Cluster port over the
// kubeconfig or the pod's ServiceAccount, the apply of each sync's last good state (gitops' ClusterSync), the audit
// of what Karpenter does (gitops' KarpenterAudit), and the Lease that lets one of several replicas act.
import { hostname } from "node:os";
import { randomUUID } from "node:crypto";
import type { Registry } from "prom-client";
import type { Logger } from "pino";
import type { TimerClock } from "../../api/index.ts";
import { KubeCluster, KubeConfigError, LeaderElector, loadKubeConfig } from "../../adapters/index.ts";
import {
  CLUSTER_SYNC_RESOURCES,
  ClusterSync,
  createClusterSyncMetrics,
  KARPENTER_AUDIT_RESOURCES,
  KarpenterAudit,
  type ClusterSyncResult,
  karpenterPoolStatus,
  type StatusPublisher,
  type SyncResult,
} from "../../gitops/index.ts";
import type { HistoryEntry, PoolLiveStatus } from "../../gitops/index.ts";
import type { InstanceTypeCatalog } from "../../cloudprovider/index.ts";
import { InputError } from "../input-files.ts";

/** Waits between attempts to read the status branch before the audit starts. */
const AUDIT_RETRY_MIN_MS = 1_000;
const AUDIT_RETRY_MAX_MS = 60_000;

export interface SyncApplyOptions {
  /** A kubeconfig file; the pod's ServiceAccount (in-cluster) when not given. */
  kubeconfig?: string;
  context?: string;
  leaderElectionNamespace: string;
}

/** Leader election's timing: client-go's defaults unless a test shortens them. */
export interface LeaderElectionTiming {
  leaseDurationMs?: number;
  renewDeadlineMs?: number;
  retryPeriodMs?: number;
}

export interface SyncApplyContext {
  /** poolkeeper.yaml's `cluster`: it names the Lease and the status the audit reads. */
  clusterName: string;
  clock: TimerClock;
  registry: Registry;
  logger: Logger;
  publisher?: StatusPublisher;
  history?: () => Promise<HistoryEntry[]>;
  timing?: LeaderElectionTiming;
  /** The instance-type catalog: its on-demand prices price Karpenter's nodes in the status files. */
  catalog?: InstanceTypeCatalog;
}

/** The Lease replicas of `sync --apply` for one cluster share. */
export function syncLeaseName(clusterName: string): string {
  return `poolkeeper-sync-${clusterName}`;
}

export class SyncApply {
  readonly kube: KubeCluster;
  readonly #context: SyncApplyContext;
  readonly #options: SyncApplyOptions;
  readonly #clusterSync: ClusterSync;
  #audit: KarpenterAudit | undefined;
  #elector: LeaderElector | undefined;
  #closed = false;
  /** The audit's caches (NodeClaims among them) are started: the status can tell what Karpenter runs. */
  #auditing = false;
  #poolStatus: (() => Map<string, PoolLiveStatus>) | undefined;
  /** Read as the caches stop: what the last status write (after `close`) says. */
  #lastPoolStatus: Map<string, PoolLiveStatus> | undefined;
  /** Ends the audit's wait before a retry. */
  #wake: (() => void) | undefined;

  constructor(options: SyncApplyOptions, context: SyncApplyContext) {
    this.#options = options;
    this.#context = context;
    const { clock, registry, logger, publisher } = context;
    let kubeConfig;
    try {
      kubeConfig = loadKubeConfig(
        options.kubeconfig === undefined
          ? { inCluster: true }
          : { kubeconfig: options.kubeconfig, ...(options.context === undefined ? {} : { context: options.context }) },
      );
    } catch (error) {
      if (error instanceof KubeConfigError) throw new InputError(`--apply: ${error.message}`);
      throw error;
    }
    this.kube = new KubeCluster({ kubeConfig, clock, registry, logger, component: "poolkeeper" });
    const metrics = createClusterSyncMetrics(registry);
    this.#clusterSync = new ClusterSync({ cluster: this.kube, logger, metrics, ...(publisher ? { publisher } : {}) });
    if (publisher && context.catalog) {
      const catalog = context.catalog;
      // On-demand nodes at the catalog's price; the catalog has no spot or reserved prices.
      const onDemand = new Map(catalog.types.map((t) => [t.name, t.onDemandUsd]));
      const read = () => karpenterPoolStatus(this.kube.list("nodeclaims"), (type) => onDemand.get(type));
      this.#poolStatus = read;
      publisher.fillPools(async () => (this.#auditing ? read() : this.#lastPoolStatus));
    }
    if (publisher && context.history) {
      const history = context.history;
      this.#audit = new KarpenterAudit({
        cluster: this.kube,
        clusterName: context.clusterName,
        publisher,
        history,
        logger,
        metrics,
      });
    }
  }

  /** Starts the caches the apply reads (and, with `audit`, NodeClaims and Events); resolves once they have listed. */
  async start(options: { audit: boolean }): Promise<void> {
    const audit = options.audit ? this.#audit : undefined;
    await this.kube.start([...CLUSTER_SYNC_RESOURCES, ...(audit ? KARPENTER_AUDIT_RESOURCES : [])]);
    if (audit) {
      this.#auditing = true;
      void this.#startAudit(audit);
    }
  }

  /**
   * The audit starts once it knows what the status branch records (or it would record things twice): while the
   * branch cannot be read, it tries again with backoff, and the apply goes on meanwhile.
   */
  async #startAudit(audit: KarpenterAudit): Promise<void> {
    const { clock, logger } = this.#context;
    for (let attempt = 0; !this.#closed; attempt++) {
      try {
        await audit.start();
        return;
      } catch (error) {
        const delay = Math.min(AUDIT_RETRY_MAX_MS, AUDIT_RETRY_MIN_MS * 2 ** Math.min(attempt, 10));
        logger.warn(
          { err: error instanceof Error ? error.message : String(error), retryInMs: delay },
          "cannot read the status branch; the audit of Karpenter waits for it",
        );
        await new Promise<void>((resolve) => {
          const timer = clock.afterFunc(delay, resolve);
          this.#wake = () => {
            timer.stop();
            resolve();
          };
        });
      }
    }
  }

  /** Applies the last good state a sync left in force; undefined when there is none yet. */
  async apply(result: SyncResult): Promise<ClusterSyncResult | undefined> {
    if (!result.desiredState) return undefined;
    const applied = await this.#clusterSync.reconcile(result.desiredState);
    const { logger } = this.#context;
    if (applied.failed.length > 0) logger.error({ failed: applied.failed }, "some objects could not be applied");
    return applied;
  }

  /**
   * Campaigns for the Lease; resolves true once this replica leads, false if `signal` aborts first. `onLost` is
   * called if the lease is lost afterwards.
   */
  lead(signal: AbortSignal, onLost: () => void): Promise<boolean> {
    const { clusterName, clock, logger, timing } = this.#context;
    const namespace = this.#options.leaderElectionNamespace;
    const name = syncLeaseName(clusterName);
    return new Promise((resolve) => {
      let leading = false;
      const aborted = () => resolve(false);
      signal.addEventListener("abort", aborted, { once: true });
      this.#elector = new LeaderElector(this.kube, {
        namespace,
        name,
        // As Karpenter names its candidates: the host (the pod's name) and a random suffix.
        identity: `${hostname()}_${randomUUID()}`,
        clock,
        ...timing,
        logger,
        onStartedLeading: () => {
          leading = true;
          signal.removeEventListener("abort", aborted);
          resolve(true);
        },
        onStoppedLeading: () => {
          // Stepping down because asked to stop is not losing the lease.
          if (leading && !signal.aborted) onLost();
        },
      });
      logger.info({ lease: `${namespace}/${name}` }, "standing by until this replica holds the lease");
      this.#elector.start();
    });
  }

  /** Whether this replica waits for the lease (another one leads). */
  get standingBy(): boolean {
    return this.#elector !== undefined && !this.#elector.isLeader;
  }

  /** Stops the audit, releases the lease if held, stops the caches. */
  async close(): Promise<void> {
    this.#closed = true;
    // The caches stop before the publisher's last write: it gets the figures read now, not empty lists.
    if (this.#auditing) {
      try {
        this.#lastPoolStatus = this.#poolStatus?.();
      } catch (error) {
        // A read that fails must not keep the caches and the Lease from stopping.
        this.#context.logger.warn(
          { err: error instanceof Error ? error.message : String(error) },
          "reading the pools' nodes and usage failed; the status keeps the last figures",
        );
      }
    }
    this.#auditing = false;
    this.#wake?.();
    this.#audit?.stop();
    await this.#elector?.stop();
    await this.kube.stop();
  }
}
