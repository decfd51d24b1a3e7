// `poolkeeper run`: the controller as one program (autoscaler mode). It follows the pool repository as `sync` does
// (the policy gate, the last good state, status reports to the status branch), connects to the cluster (kubeconfig
// or in-cluster) and to AWS (the SDK's default chain, endpoints overridable), and hosts the controller loops in the
// controller manager: they run only on the replica that holds the leader Lease, and on none while a Karpenter
// controller holds its own leader lease. /healthz, /readyz (why not ready, when not) and /metrics are served with
// the push hook. SIGTERM stops the loops after their current action, releases the lease, writes what is left of
// the status and exits 0; bad settings are exit 2, each named with where it came from.
import { randomUUID } from "node:crypto";
import { hostname } from "node:os";
import { join } from "node:path";
import type { AddressInfo } from "node:net";
import type { DestinationStream } from "pino";
import { pino } from "pino";
import {
  KubeCluster,
  KubeConfigError,
  LeaderElector,
  SqsInterruptionQueue,
  loadKubeConfig,
  sdkAwsPorts,
  type KubeConfigSource,
} from "../../adapters/index.ts";
import type { TimerClock } from "../../api/index.ts";
import { ControllerManager, ForeignLeaseGuard, managerPhaseMetric } from "../../controller/index.ts";
import {
  countStatusWrite,
  createHookServer,
  createStatusWriter,
  createSyncMetrics,
  displayRemote,
  exposedGc,
  heapRelease,
  type openSource,
  runtimeConfigAt,
  SourceError,
  StatusPublisher,
  Syncer,
  type HookServer,
  type PoolkeeperConfig,
  type SourceCredentials,
  type SyncResult,
} from "../../gitops/index.ts";
import { createLogger, createRegistry, type Logger } from "../../runtime/index.ts";
import { openFollowedSource } from "../followed-source.ts";
import { readGitCredentials } from "../git-credentials.ts";
import { InputError } from "../input-files.ts";
import type { Output } from "../output.ts";
import { resolveControllerSettings, type ControllerSettings, type ValueSource } from "../run-settings.ts";
import { hookRateLimitOf, servingLimitsOf } from "../serving-limits.ts";
import { clockFromEnvironment } from "../sim-clock.ts";
import { onStopRequest, parsePort } from "../stop-request.ts";
import { loadCatalog } from "./check.ts";
import { nodeBootstrap } from "./node-bootstrap.ts";
import { controllerLoops, PushTrigger } from "./run-loops.ts";
import {
  closePublisher,
  readConfigFile,
  readHookSecrets,
  readPolicyFiles,
  readSigners,
  type SyncOptions,
} from "./sync.ts";

/** The parsed options: `sync`'s Git and serving options (not its --once ones) and the controller settings. */
export interface RunOptions extends Omit<SyncOptions, "once" | "format" | "logLevel">, Record<string, unknown> {}

export interface RunControl {
  /** Where each option's value came from (commander's getOptionValueSource). */
  sourceOf: (key: string) => ValueSource;
  signal?: AbortSignal;
  log?: DestinationStream;
  env?: NodeJS.ProcessEnv;
  clock?: TimerClock;
  onListening?: (address: AddressInfo) => void;
}

export async function runRun(options: RunOptions, out: Output, control: RunControl): Promise<number> {
  const env = control.env ?? process.env;
  const clock = control.clock ?? clockFromEnvironment(env);
  const credentials = readGitCredentials(options, env);
  const catalog = loadCatalog(options.catalog);
  const signers = options.allowedSigners === undefined ? undefined : readSigners(options.allowedSigners);
  const override = options.config === undefined ? undefined : readConfigFile(options.config);
  const policies =
    options.policy === undefined || options.policy.length === 0 ? undefined : readPolicyFiles(options.policy);
  const hookSecrets = readHookSecrets(options, env);
  const limits = servingLimitsOf(options);
  const rateLimit = hookRateLimitOf(options.hookRateLimit);
  const port = parsePort(options.port);
  if ((options.tlsCert === undefined) !== (options.tlsKey === undefined)) {
    throw new InputError("--tls-cert and --tls-key go together: give both to serve HTTPS, or neither for HTTP");
  }
  const kubeSource = kubeConfigSource(options, env);
  const branch = override?.branch ?? options.branch;
  const { source, cacheDir, configure } = openFollowedSource(options, branch, credentials);

  // The config: the file given, or the head's poolkeeper.yaml (or its newest valid ancestor's), as `sync` reads it.
  let gitReachable = false;
  let config = override;
  if (!config) {
    const runtime = await headConfig(source, branch, out);
    if (!runtime) return 2;
    config = runtime;
    gitReachable = true;
  }
  configure(config);
  const settings = resolveControllerSettings(options, control.sourceOf, config);
  if ("inCluster" in kubeSource && settings.clusterEndpoint === undefined && !settings.dryRun) {
    // Karpenter reads it from eks:DescribeCluster; the pod's own server is the `kubernetes` Service's address, which
    // a booting node cannot reach (kube-proxy does not run on it yet).
    throw new InputError(
      "--cluster-endpoint (POOLKEEPER_CLUSTER_ENDPOINT) is required in a pod: the in-cluster server is a Service address that booting nodes cannot reach",
    );
  }
  const destination = control.log ?? pino.destination({ dest: 1, sync: true });
  const logger = createLogger({ level: settings.logLevel, destination, name: "poolkeeper-run" });
  let kubeConfig;
  try {
    kubeConfig = loadKubeConfig(kubeSource);
  } catch (error) {
    if (error instanceof KubeConfigError) throw new InputError(error.message);
    throw error;
  }
  if (settings.clusterName !== config.cluster) {
    logger.warn(
      { clusterName: settings.clusterName, configured: config.cluster },
      "--cluster-name differs from poolkeeper.yaml's spec.cluster: the status is written for spec.cluster",
    );
  }

  const registry = createRegistry({ processMetrics: true });
  const metrics = createSyncMetrics(registry);
  const { publisher, syncer } = gitSide({ options, config, credentials, cacheDir, catalog, signers, policies });
  const cluster = new KubeCluster({ kubeConfig, clock, registry, logger, component: "poolkeeper" });
  const aws = sdkAwsPorts({
    ...(settings.awsRegion === undefined ? {} : { region: settings.awsRegion }),
    ...(settings.awsEndpoint === undefined ? {} : { endpoint: settings.awsEndpoint }),
  });
  const interruptionQueue =
    settings.interruptionQueue === undefined
      ? undefined
      : new SqsInterruptionQueue(settings.interruptionQueue, {
          ...(settings.awsRegion === undefined ? {} : { region: settings.awsRegion }),
          ...(settings.awsEndpoint === undefined ? {} : { endpoint: settings.awsEndpoint }),
        });
  const recordPhase = managerPhaseMetric(registry);
  let paused = false;
  let leading = false;
  const manager = createManager(settings, cluster, clock, logger, (status) => {
    recordPhase(status);
    // Another replica may have written the status branch since this one read it: read it again before writing.
    if (status.phase === "leading" && !leading) publisher?.reseed();
    leading = status.phase === "leading";
    // In the status branch too, written by the replica that holds poolkeeper's lease (the others stand by).
    const nowPaused = status.phase === "passive";
    if (nowPaused === paused || status.phase === "stopped" || !status.leader) return;
    paused = nowPaused;
    publisher?.record(
      nowPaused
        ? { kind: "paused", reason: status.reason }
        : { kind: "resumed", reason: "no Karpenter controller holds its leader lease any more" },
    );
  });
  const pushes = new PushTrigger();
  // V8's pooled pages given back between syncs when the process runs with --expose-gc, as `sync` does
  // (gitops/heap-release.ts; the chart's NODE_OPTIONS sets the flag for both).
  const releaseHeap = heapRelease({ clock, gc: exposedGc() });
  for (const loop of controllerLoops({
    settings,
    cluster,
    aws,
    region: async () => settings.awsRegion ?? (await aws.region()),
    bootstrap: async () =>
      nodeBootstrap(settings, await cluster.discover({ lookUpDns: settings.clusterDnsIp === undefined })),
    ...(interruptionQueue ? { interruptionQueue } : {}),
    ...(publisher ? { publisher } : {}),
    registry,
    clock,
    logger,
    git: {
      syncer,
      pollIntervalMs: config.pollInterval.ms,
      pushes,
      onSync: (result: SyncResult) => {
        if (result.outcome !== "failed") gitReachable = true;
        metrics.statusPendingEvents.set(publisher?.pendingEvents ?? 0);
        releaseHeap(result);
      },
    },
  })) {
    manager.add(loop);
  }
  logger.info(
    {
      repo: displayRemote(options.repo),
      branch,
      cluster: settings.clusterName,
      dryRun: settings.dryRun,
      leaderElection: settings.leaderElect ? settings.leaderElection : false,
      loops: manager.names,
    },
    "starting",
  );

  let cachesSynced = false;
  const stop = new AbortController();
  const readiness = (): boolean | string => {
    if (stop.signal.aborted) return "shutting down";
    if (!cachesSynced) return "the cluster's caches are not synced yet";
    const status = manager.status;
    if (status.phase === "passive") return status.reason;
    if (status.phase === "stopped") return "the controller manager is not running";
    if (!gitReachable && syncer.desiredState === undefined)
      return "Git is not reachable and no last good state was restored";
    return true;
  };

  const detach = onStopRequest(control.signal, (reason) => {
    logger.info({ reason }, "stopping: the loops finish their current action");
    stop.abort();
  });
  let server: HookServer;
  try {
    server = createHookServer({
      branch,
      ...hookSecrets,
      onPush: () => pushes.trigger(),
      ready: readiness,
      registry,
      logger,
      ...(options.tlsCert && options.tlsKey ? { tls: { certFile: options.tlsCert, keyFile: options.tlsKey } } : {}),
      limits,
      ...(rateLimit === undefined ? {} : { rateLimit }),
      clock,
    });
    const address = await server.listen(port, options.host);
    logger.info({ address: address.address, port: address.port }, "serving /healthz, /readyz and /metrics");
    control.onListening?.(address);
  } catch (error) {
    detach();
    await Promise.all([syncer.close(), closePublisher(publisher, logger)]);
    aws.destroy();
    throw error instanceof InputError ? error : new InputError(`cannot serve /healthz: ${message(error)}`);
  }

  // Each step of the start gives way to SIGTERM: an unreachable API server must not make the pod unkillable.
  const stopped = new Promise<void>((resolve) => {
    if (stop.signal.aborted) resolve();
    else stop.signal.addEventListener("abort", () => resolve(), { once: true });
  });
  const untilStopped = <T>(step: Promise<T>): Promise<T | undefined> =>
    Promise.race([step, stopped.then(() => undefined)]);
  let exitCode = 0;
  try {
    await untilStopped(syncer.restore());
    if (override && !stop.signal.aborted) gitReachable = (await untilStopped(reachable(source, logger))) ?? false;
    if (!stop.signal.aborted) {
      await untilStopped(cluster.start());
      if (!stop.signal.aborted) {
        cachesSynced = true;
        logger.info("the cluster's caches are synced");
      }
    }
    if (!stop.signal.aborted) await untilStopped(manager.start());
    await stopped;
  } catch (error) {
    logger.error({ err: message(error) }, "cannot run the controller");
    out.stderr(`poolkeeper run: ${message(error)}\n`);
    exitCode = 2;
  }
  await manager.stop();
  await syncer.close();
  logger.info("stopping: writing what is left of the status");
  await closePublisher(publisher, logger);
  await cluster.stop();
  interruptionQueue?.client.destroy();
  aws.destroy();
  await server.close();
  detach();
  logger.info({ exitCode }, "stopped");
  logger.flush();
  return exitCode;

  function gitSide(input: {
    options: RunOptions;
    config: PoolkeeperConfig;
    credentials: SourceCredentials | undefined;
    cacheDir: string;
    catalog: ReturnType<typeof loadCatalog>;
    signers: ReturnType<typeof readSigners> | undefined;
    policies: ReturnType<typeof readPolicyFiles> | undefined;
  }) {
    const writer = input.options.status
      ? createStatusWriter({
          url: input.options.repo,
          branch: input.config.status.branch,
          path: input.config.status.path,
          cacheDir: join(input.cacheDir, "status"),
          author: input.config.commitAuthor,
          credentials: input.credentials,
          clock,
          retries: {
            max: input.config.push.maxRetries,
            minBackoffMs: input.config.push.minBackoff.ms,
            maxBackoffMs: input.config.push.maxBackoff.ms,
          },
        })
      : undefined;
    const publisher = writer
      ? new StatusPublisher({
          writer,
          cluster: input.config.cluster,
          coalesceMs: input.config.coalesce.ms,
          clock,
          logger,
          retry: { minBackoffMs: input.config.push.minBackoff.ms, maxBackoffMs: input.config.push.maxBackoff.ms },
          onWrite: (outcome) => countStatusWrite(metrics, outcome),
          history: () => writer.history(),
        })
      : undefined;
    const syncer = new Syncer({
      source,
      cluster: input.config.cluster,
      publisher,
      statusHistory: writer ? () => writer.history() : undefined,
      configOverride: override,
      catalog: input.catalog,
      signers: input.signers,
      policies: input.policies,
      clock,
      logger,
      metrics,
    });
    return { publisher, syncer };
  }
}

/** --kubeconfig, else $KUBECONFIG (client-go's convention), else the pod's ServiceAccount. */
function kubeConfigSource(options: RunOptions, env: NodeJS.ProcessEnv): KubeConfigSource {
  const file = typeof options.kubeconfig === "string" ? options.kubeconfig : env.KUBECONFIG;
  if (file !== undefined && file !== "") return { kubeconfig: file };
  return { inCluster: true, env };
}

/** The leader elector (unless --leader-elect=false) and the guard on Karpenter's lease, around the manager. */
function createManager(
  settings: ControllerSettings,
  cluster: KubeCluster,
  clock: TimerClock,
  logger: Logger,
  onStatus: ConstructorParameters<typeof ControllerManager>[0]["onStatus"],
): ControllerManager {
  // Karpenter's identity form: the pod (host) name and a random suffix, so a restarted pod is a new candidate.
  const identity = `${hostname()}_${randomUUID()}`;
  const lease = settings.leaderElection;
  return new ControllerManager({
    clock,
    logger: logger.child({ component: "controller-manager" }),
    leaseName: `${lease.namespace}/${lease.name}`,
    ...(onStatus ? { onStatus } : {}),
    ...(settings.leaderElect
      ? {
          elect: (callbacks) =>
            new LeaderElector(cluster, {
              ...lease,
              identity,
              clock,
              leaseDurationMs: settings.leaseDurationMs,
              renewDeadlineMs: settings.renewDeadlineMs,
              retryPeriodMs: settings.retryPeriodMs,
              logger,
              ...callbacks,
            }),
        }
      : {}),
    guard: (onChange) =>
      new ForeignLeaseGuard({
        cluster,
        lease: settings.karpenterLease,
        clock,
        retryPeriodMs: settings.retryPeriodMs,
        owner: "Karpenter",
        onChange,
        logger,
      }),
  });
}

/** The head's runtime config, or undefined after saying why on stderr (as `sync` does: exit 2). */
async function headConfig(
  source: ReturnType<typeof openSource>,
  branch: string,
  out: Output,
): Promise<PoolkeeperConfig | undefined> {
  let head: string;
  try {
    head = (await source.fetch()).sha;
  } catch (error) {
    if (!(error instanceof SourceError)) throw error;
    out.stderr(`poolkeeper run: ${error.message}\n`);
    return undefined;
  }
  const runtime = await runtimeConfigAt(source, head);
  if (!runtime.config) {
    out.stderr(`poolkeeper run: no valid poolkeeper.yaml on ${branch}:\n  ${runtime.problems.join("\n  ")}\n`);
    return undefined;
  }
  return runtime.config;
}

/** With --config, whether the repository answers at start (readiness: Git reachable or a last good state). */
async function reachable(source: ReturnType<typeof openSource>, logger: Logger): Promise<boolean> {
  try {
    await source.fetch();
    return true;
  } catch (error) {
    logger.warn({ err: message(error) }, "the pool repository is not reachable");
    return false;
  }
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
