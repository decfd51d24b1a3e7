// The autoscaler's loops as the controller manager runs them (issue: `poolkeeper run` does the autoscaler's work),
// over the parts they share: one AWS cloud provider (its instance types, unavailable offerings and observed
// capacity are the process's, across leaderships), instrumented for metrics, and one Launcher (provisioning and
// the NodeClaim lifecycle launch through it, so a NodeClaim is never launched twice at once). The provider is built
// when the replica first acts, from what the cluster tells about itself (node-bootstrap.ts) — an API server down
// at that moment fails the loop, which the manager starts again after a backoff. Each loop is built afresh each
// time the replica starts acting, from the cluster's state.
import type { AwsPorts, Cluster, InterruptionQueue, NodeClaim, TimerClock } from "../../api/index.ts";
import {
  ANNOTATION_LAUNCH_ATTEMPT,
  AwsCloudProvider,
  type CloudProvider,
  instrumentCloudProvider,
} from "../../cloudprovider/index.ts";
import {
  controllerRunnable,
  createCloudProviderMetrics,
  createDisruptionMetrics,
  createInterruptionMetrics,
  createProvisioningMetrics,
  disruptionLoop,
  type DisruptionStatusSink,
  InterruptionConsumer,
  InterruptionController,
  Launcher,
  NodeClaimGarbageCollection,
  NodeClaimLifecycle,
  type NodeClaimStatusSink,
  Nominations,
  Provisioner,
  TerminationController,
  type InterruptionStatusSink,
  type ProvisioningStatusSink,
  readPoolLiveStatus,
  reportInterruptionEnd,
  type Runnable,
  type TerminationReport,
} from "../../controller/index.ts";
import type { DriftProgress, PoolLiveSource } from "../../gitops/index.ts";
import type { Logger } from "../../runtime/index.ts";
import type { Registry } from "prom-client";
import type { ControllerSettings } from "../run-settings.ts";
import { dryRunAwsPorts } from "./dry-run-aws.ts";
import type { NodeBootstrap } from "./node-bootstrap.ts";
import { reportedBeforeFinalize } from "./report-before-finalize.ts";

export interface AutoscalerDependencies {
  settings: ControllerSettings;
  cluster: Cluster;
  aws: AwsPorts;
  /** The region the AWS clients use. */
  region: () => Promise<string>;
  /** What the nodes' user data says about the cluster, resolved when the replica first acts. */
  bootstrap: () => Promise<NodeBootstrap>;
  interruptionQueue?: InterruptionQueue;
  /** The one status publisher (gitops's StatusPublisher satisfies every sink). */
  publisher?: ProvisioningStatusSink &
    InterruptionStatusSink &
    DisruptionStatusSink &
    NodeClaimStatusSink & {
      flush(): Promise<{ pushed: boolean } | undefined>;
      /** Where the status files' live fields come from (gitops's `StatusPublisher.fillPools`). */
      fillPools?(source: PoolLiveSource): void;
    };
  /** The Git commit the cluster's pools were last applied from (recorded on every NodeClaim launched). */
  appliedCommit?: () => string | undefined;
  /**
   * Decide and report only (`run --dry-run`): provisioning reports the launches it would make, disruption the
   * commands it would carry out, and nothing else runs (no launch, drain, garbage collection or interruption).
   */
  dryRun?: boolean;
  registry: Registry;
  clock: TimerClock;
  logger: Logger;
}

interface Shared {
  provider: AwsCloudProvider;
  cloudProvider: CloudProvider;
  launcher: Launcher;
}

/**
 * Provisioning, the NodeClaim lifecycle and garbage collection, termination, disruption and, with a queue,
 * interruption.
 */
export function autoscalerLoops(deps: AutoscalerDependencies): Runnable[] {
  const { cluster, clock, registry, settings } = deps;
  const dryRun = deps.dryRun === true;
  const shared = sharedParts(deps);
  const provisioningMetrics = createProvisioningMetrics(registry);
  const disruptionMetrics = createDisruptionMetrics(registry);
  const commit = deps.appliedCommit;
  // The provider's first refresh (spot prices among it), which the provisioner starts: disruption waits for it, or
  // its first pass would price spot nodes at the catalog's on-demand prices.
  let refreshed: () => void = () => {};
  const firstRefresh = new Promise<void>((resolve) => (refreshed = resolve));
  // Provisioning's nominations, which disruption reads: a node just nominated for pending pods is no candidate.
  const nominations = new Nominations();
  // Termination's reports close the interruptions the interruption controller acted on or recovered. Before it has
  // started (after a restart the loops start side by side, and termination may finish first a NodeClaim a previous
  // process began for a notice) they are closed directly from the notice the NodeClaim carried to its end.
  const onTerminated = new Set<(report: TerminationReport) => void>();
  const interruptionMetrics =
    deps.interruptionQueue !== undefined && !dryRun ? createInterruptionMetrics(registry) : undefined;
  // The status files' nodes, usage and $/h, read from cluster state with each status commit, once the provider has
  // its prices (spot among them): until then the fields stay absent rather than priced at on-demand.
  let priced: CloudProvider | undefined;
  // Each pool's drifted nodes of its total, as the last disruption pass judged them (its rollout progress).
  const drift = new Map<string, DriftProgress>();
  deps.publisher?.fillPools?.(async () =>
    priced === undefined ? undefined : readPoolLiveStatus(cluster, priced, clock, drift),
  );
  const interruptionEnd = {
    cluster,
    ...(deps.publisher ? { status: deps.publisher } : {}),
    ...(interruptionMetrics ? { metrics: interruptionMetrics } : {}),
  };

  const loops: Runnable[] = [
    controllerRunnable("provisioner", async ({ logger }) => {
      const { provider, cloudProvider, launcher } = await shared(logger);
      // The first refresh (types, zones, spot prices from EC2) before the first decision; every 12 h after.
      await provider.instanceTypes.start();
      refreshed();
      priced = cloudProvider;
      const provisioner = new Provisioner({
        cluster,
        cloudProvider,
        launcher,
        clock,
        nominations,
        batch: { idleMs: settings.batchIdleMs, maxMs: settings.batchMaxMs },
        metrics: provisioningMetrics,
        ...(deps.publisher ? { status: deps.publisher } : {}),
        ...(commit ? { commit } : {}),
        dryRun,
        logger,
      }).start();
      return {
        stop: () => {
          provisioner.stop();
          provider.instanceTypes.stop();
        },
        idle: () => provisioner.idle(),
      };
    }),
    controllerRunnable("nodeclaim.lifecycle", async ({ logger }) => {
      const { provider, launcher } = await shared(logger);
      return new NodeClaimLifecycle({
        cluster,
        launcher,
        clock,
        observedCapacity: provider,
        ...(deps.publisher ? { status: deps.publisher } : {}),
        logger,
      }).start();
    }),
    controllerRunnable("nodeclaim.garbagecollection", async ({ logger }) => {
      const { cloudProvider } = await shared(logger);
      return new NodeClaimGarbageCollection({
        cluster,
        cloudProvider,
        clock,
        logger,
        ...(deps.publisher ? { status: deps.publisher } : {}),
        onCollected: (what) =>
          logger.info(
            { collected: what },
            what === "instance" ? "leaked instance terminated" : "orphan NodeClaim deleted",
          ),
      }).start();
    }),
    controllerRunnable("node.termination", async ({ logger }) => {
      const { cloudProvider } = await shared(logger);
      return new TerminationController({
        cluster,
        cloudProvider,
        clock,
        logger,
        onTerminated: (report) => {
          if (onTerminated.size === 0) reportInterruptionEnd(interruptionEnd, report);
          for (const listener of onTerminated) listener(report);
        },
        beforeFinalize: (claim) => reportedBeforeFinalize(claim, deps.publisher),
      }).start();
    }),
    // Disruption (branch disruption-loop's factory): a fresh reconcile loop each leadership, whose first pass
    // finishes or rolls back what a previous leader left half-done.
    {
      name: "disruption",
      async start(context) {
        const { cloudProvider } = await shared(context.logger);
        await untilAborted(firstRefresh, context.signal);
        if (context.signal.aborted) return;
        await disruptionLoop({
          cluster,
          cloudProvider,
          clock,
          nominations,
          metrics: disruptionMetrics,
          options: { dryRun },
          ...(deps.publisher ? { status: deps.publisher } : {}),
          ...(commit ? { commit } : {}),
          onRollout: (rollout) => {
            drift.clear();
            for (const p of rollout) drift.set(p.nodePool, { drifted: p.total - p.current, total: p.total });
          },
        }).start(context);
      },
    },
  ];

  // A dry run decides: the loops that only carry decisions out (launch, drain, collect, interrupt) do not run.
  if (dryRun) return loops.filter((loop) => loop.name === "provisioner" || loop.name === "disruption");
  const queue = deps.interruptionQueue;
  if (queue !== undefined) {
    const metrics = interruptionMetrics ?? createInterruptionMetrics(registry);
    loops.push(
      controllerRunnable("interruption", async ({ logger }) => {
        const { cloudProvider } = await shared(logger);
        const interruption = new InterruptionController({
          cluster,
          cloudProvider,
          clock,
          logger,
          metrics,
          ...(deps.publisher ? { status: deps.publisher } : {}),
          instanceStatus: deps.aws.ec2,
        });
        const listener = (report: TerminationReport) => interruption.terminated(report);
        onTerminated.add(listener);
        // What a previous process left terminating for a notice: reported (once) and its drain reported at its end.
        interruption.recover();
        const consumer = new InterruptionConsumer({
          queue,
          handle: (message) => interruption.handleMessage(message),
          clock,
          metrics,
          logger,
        }).start();
        const stopPoll = interruption.startInstanceStatusPoll();
        return {
          async stop() {
            stopPoll();
            await consumer.stop();
            onTerminated.delete(listener);
            interruption.close();
          },
        };
      }),
    );
  }
  return loops;
}

/** Resolves with `promise`, or once `signal` aborts. */
function untilAborted(promise: Promise<void>, signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.resolve();
  return Promise.race([
    promise,
    new Promise<void>((resolve) => signal.addEventListener("abort", () => resolve(), { once: true })),
  ]);
}

/** The shared provider and launcher, built once (again after a failed attempt). */
function sharedParts(deps: AutoscalerDependencies): (logger: Logger) => Promise<Shared> {
  let building: Promise<Shared> | undefined;
  return (logger) => {
    building ??= build(deps, logger).catch((error: unknown) => {
      building = undefined;
      throw error;
    });
    return building;
  };
}

async function build(deps: AutoscalerDependencies, logger: Logger): Promise<Shared> {
  const { cluster, clock } = deps;
  const [bootstrap, region] = await Promise.all([deps.bootstrap(), deps.region()]);
  for (const warning of bootstrap.warnings) logger.warn(warning);
  logger.info(
    {
      cluster: bootstrap.cluster.name,
      endpoint: bootstrap.cluster.endpoint,
      serviceCIDR: bootstrap.cluster.serviceCIDR,
      dnsIP: bootstrap.cluster.dnsIP,
      kubernetesVersion: bootstrap.kubernetesVersion,
      region,
    },
    "nodes join the cluster with these settings",
  );
  const provider = new AwsCloudProvider({
    ports: deps.dryRun === true ? dryRunAwsPorts(deps.aws) : deps.aws,
    clock,
    region,
    kubernetesVersion: bootstrap.kubernetesVersion,
    cluster: bootstrap.cluster,
    nodeClass: (name) => cluster.get("ec2nodeclasses", { name }),
    // The attempt number on the NodeClaim before each CreateFleet: its idempotency token survives a restart.
    recordLaunchAttempt: async (nodeClaim: NodeClaim, attempt: number) => {
      await cluster.patch(
        "nodeclaims",
        { name: nodeClaim.metadata.name ?? "" },
        { type: "merge", patch: { metadata: { annotations: { [ANNOTATION_LAUNCH_ATTEMPT]: String(attempt) } } } },
      );
    },
  });
  const cloudProvider = instrumentCloudProvider(provider, createCloudProviderMetrics(deps.registry), clock);
  const launcher = new Launcher({ cluster, cloudProvider, clock, logger });
  return { provider, cloudProvider, launcher };
}
