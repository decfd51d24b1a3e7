// `poolkeeper sync`: the GitOps controller's Git side. Follows a branch of a pool repository (HTTP(S) remote or
// local path), judges each new head through the policy gate, keeps the last good state when a head is rejected,
// and commits status reports to the status branch. `--once` syncs a single time (a CI job or cron): exit 0 when
// the head is accepted, 1 when it is rejected, 2 when Git or the config fails. `--policy` files, kept outside the
// repository, judge every commit instead of its policies/. Without it, the command runs until
// SIGTERM: polling with jitter and backoff, and serving the push hook, /healthz, /readyz and /metrics.
// `--apply` makes it the policy mode beside Karpenter (sync-apply.ts): each sync applies the last good state to the
// cluster and the status branch records what Karpenter did; replicas elect a leader, the others stand by.
import { join } from "node:path";
import type { AddressInfo } from "node:net";
import type { DestinationStream, Level, Logger } from "pino";
import { pino } from "pino";
import { systemClock, type TimerClock } from "../../api/index.ts";
import { parseAllowedSigners, type AllowedSigner } from "../../gitops/index.ts";
import { loadConfig, type PoolkeeperConfig } from "../../gitops/index.ts";
import { createHookServer, type HookServer } from "../../gitops/index.ts";
import { countStatusWrite, createSyncMetrics } from "../../gitops/index.ts";
import { runtimeConfigAt } from "../../gitops/index.ts";
import { displayRemote, SourceError, type SourceFile } from "../../gitops/index.ts";
import { StatusPublisher } from "../../gitops/index.ts";
import { createStatusWriter } from "../../gitops/index.ts";
import { startSyncLoop } from "../../gitops/index.ts";
import { Syncer, type SyncResult } from "../../gitops/index.ts";
import { exposedGc, heapRelease } from "../../gitops/index.ts";
import { loadPolicies } from "../../policies/index.ts";
import { renderReport, type ReportFormat } from "../../policies/index.ts";
import { builtinRules } from "../../policies/index.ts";
import { createLogger, createRegistry } from "../../runtime/index.ts";
import { openFollowedSource } from "../followed-source.ts";
import { nonEmpty, readGitCredentials, readSecretFile } from "../git-credentials.ts";
import { InputError } from "../input-files.ts";
import { readInput } from "../read-input.ts";
import { hookRateLimitOf, servingLimitsOf, type ServingLimitOptions } from "../serving-limits.ts";
import { onStopRequest, parsePort } from "../stop-request.ts";
import type { Output } from "../output.ts";
import { toolVersion } from "../version.ts";
import { loadCatalog } from "./check.ts";
import type { LeaderElectionTiming } from "./sync-apply.ts";

export interface SyncOptions extends ServingLimitOptions {
  repo: string;
  branch: string;
  once: boolean;
  config?: string;
  cacheDir?: string;
  /** The Git side's cache budget, a quantity ("64Mi"); over poolkeeper.yaml's `cacheSize`. */
  cacheSize?: string;
  /** false with --no-status: judge only, write nothing. */
  status: boolean;
  allowedSigners?: string;
  /** PoolPolicy files kept outside the repository; default none (the repository's, see gitops/gate-policy.ts). */
  policy?: string[];
  catalog?: string;
  format: ReportFormat;
  port: string;
  host: string;
  tlsCert?: string;
  tlsKey?: string;
  githubSecretFile?: string;
  gitlabTokenFile?: string;
  /** Push deliveries a minute per client address; "0" for no limit. */
  hookRateLimit?: string;
  tokenFile?: string;
  username?: string;
  passwordFile?: string;
  /** Default: info; warn with --once, whose report is what a CI log wants to show. */
  logLevel?: Level;
  /** Apply the last good state to the cluster (server-side apply), audit Karpenter, elect a leader. */
  apply?: boolean;
  /** The kubeconfig for --apply; in-cluster configuration when not given. */
  kubeconfig?: string;
  context?: string;
  leaderElectionNamespace?: string;
}

/** What the command line does not set: tests stop the loop and read the log. */
export interface SyncControl {
  signal?: AbortSignal;
  log?: DestinationStream;
  env?: NodeJS.ProcessEnv;
  clock?: TimerClock;
  onListening?: (address: AddressInfo) => void;
  onSync?: (result: SyncResult) => void;
  /** --apply's leader election timing (client-go's defaults otherwise). */
  leaderElection?: LeaderElectionTiming;
}

/** Where replicas of `sync --apply` keep their Lease unless told. */
export const DEFAULT_LEADER_ELECTION_NAMESPACE = "kube-system";

export async function runSync(options: SyncOptions, out: Output, control: SyncControl = {}): Promise<number> {
  const env = control.env ?? process.env;
  const clock = control.clock ?? systemClock;
  const credentials = readGitCredentials(options, env);
  const catalog = loadCatalog(options.catalog);
  const signers = options.allowedSigners === undefined ? undefined : readSigners(options.allowedSigners);
  const override = options.config === undefined ? undefined : readConfigFile(options.config);
  const policies =
    options.policy === undefined || options.policy.length === 0 ? undefined : readPolicyFiles(options.policy);
  const hookSecrets = options.once ? {} : readHookSecrets(options, env);
  const limits = servingLimitsOf(options);
  const rateLimit = hookRateLimitOf(options.hookRateLimit);
  if (options.apply !== true && (options.kubeconfig !== undefined || options.context !== undefined)) {
    throw new InputError("--kubeconfig and --context are for --apply: without it sync writes nothing to a cluster");
  }
  if ((options.tlsCert === undefined) !== (options.tlsKey === undefined)) {
    throw new InputError("--tls-cert and --tls-key go together: give both to serve HTTPS, or neither for HTTP");
  }
  const branch = override?.branch ?? options.branch;
  // --once writes its report to stdout, so its log goes to stderr.
  const destination = control.log ?? pino.destination({ dest: options.once ? 2 : 1, sync: true });
  const level = options.logLevel ?? (options.once ? "warn" : "info");
  const logger = createLogger({ level, destination, name: "poolkeeper-sync" });
  const { source, cacheDir, configure } = openFollowedSource(options, branch, credentials);

  // The runtime config: the file given, or the head's poolkeeper.yaml (or its newest valid ancestor's).
  let config = override;
  if (!config) {
    let head: string;
    try {
      head = (await source.fetch()).sha;
    } catch (error) {
      if (!(error instanceof SourceError)) throw error;
      out.stderr(`poolkeeper sync: ${error.message}\n`);
      return 2;
    }
    const runtime = await runtimeConfigAt(source, head);
    if (!runtime.config) {
      out.stderr(`poolkeeper sync: no valid poolkeeper.yaml on ${branch}:\n  ${runtime.problems.join("\n  ")}\n`);
      return 2;
    }
    if (runtime.problems.length > 0) {
      logger.error(
        { problems: runtime.problems, from: runtime.sha },
        "the head's poolkeeper.yaml is invalid; running with its newest valid ancestor's",
      );
    }
    config = runtime.config;
  }
  configure(config);
  if (config.branch !== branch) {
    logger.warn(
      { following: branch, configured: config.branch },
      "poolkeeper.yaml names another branch than the one followed",
    );
  }

  const registry = createRegistry({ processMetrics: !options.once });
  const metrics = createSyncMetrics(registry);
  const writer = options.status
    ? createStatusWriter({
        url: options.repo,
        branch: config.status.branch,
        path: config.status.path,
        cacheDir: join(cacheDir, "status"),
        author: config.commitAuthor,
        credentials,
        retries: {
          max: config.push.maxRetries,
          minBackoffMs: config.push.minBackoff.ms,
          maxBackoffMs: config.push.maxBackoff.ms,
        },
      })
    : undefined;
  const publisher = writer
    ? new StatusPublisher({
        writer,
        cluster: config.cluster,
        coalesceMs: config.coalesce.ms,
        manual: options.once,
        clock,
        logger,
        retry: { minBackoffMs: config.push.minBackoff.ms, maxBackoffMs: config.push.maxBackoff.ms },
        onWrite: (outcome) => countStatusWrite(metrics, outcome),
      })
    : undefined;
  const syncer = new Syncer({
    source,
    cluster: config.cluster,
    publisher,
    statusHistory: writer ? () => writer.history() : undefined,
    configOverride: override,
    catalog,
    signers,
    policies,
    clock,
    logger,
    metrics,
  });
  // Loaded only for --apply: client-node is a large part of start-up.
  const cluster = options.apply
    ? new (await import("./sync-apply.ts")).SyncApply(
        {
          ...(options.kubeconfig === undefined ? {} : { kubeconfig: options.kubeconfig }),
          ...(options.context === undefined ? {} : { context: options.context }),
          leaderElectionNamespace: options.leaderElectionNamespace ?? DEFAULT_LEADER_ELECTION_NAMESPACE,
        },
        {
          clusterName: config.cluster,
          clock,
          registry,
          logger,
          ...(publisher ? { publisher } : {}),
          ...(writer ? { history: () => writer.history() } : {}),
          ...(control.leaderElection ? { timing: control.leaderElection } : {}),
          catalog,
        },
      )
    : undefined;
  logger.info(
    { repo: displayRemote(options.repo), branch, cluster: config.cluster, statusBranch: config.status.branch },
    "starting",
  );
  // A replica of `sync --apply` restores once it leads: the leader before it may have written more.
  if (!cluster || options.once) await syncer.restore();

  if (options.once) {
    const result = await syncer.sync();
    let applied = true;
    if (cluster) {
      try {
        await cluster.start({ audit: false });
        applied = ((await cluster.apply(result))?.failed.length ?? 0) === 0;
      } catch (error) {
        logger.error({ err: message(error) }, "cannot apply to the cluster");
        applied = false;
      }
      await cluster.close();
    }
    await syncer.close();
    control.onSync?.(result);
    const written = await closePublisher(publisher, logger);
    out.stdout(renderOnce(result, options.format, out));
    if (result.outcome === "failed") {
      out.stderr(`poolkeeper sync: ${result.error?.message ?? "sync failed"}\n`);
    }
    if (!applied) out.stderr("poolkeeper sync: the cluster refused some objects (see the log)\n");
    return onceExitCode(result, written && applied);
  }

  const stop = new AbortController();
  const detach = onStopRequest(control.signal, () => stop.abort());
  let server: HookServer | undefined;
  let loop: ReturnType<typeof startSyncLoop> | undefined;
  let lostLease = false;
  let startFailed = false;
  // V8's pooled pages given back between syncs when the process runs with --expose-gc (gitops/heap-release.ts), and
  // after a burst of syncs once idle, never inside one.
  let syncing = false;
  const releaseHeap = heapRelease({ clock, gc: exposedGc(), timers: clock, busy: () => syncing });
  const startLoop = () =>
    startSyncLoop({
      sync: async () => {
        syncing = true;
        try {
          const result = await syncer.sync();
          await cluster?.apply(result);
          return result;
        } finally {
          syncing = false;
        }
      },
      intervalMs: config.pollInterval.ms,
      signal: stop.signal,
      clock,
      onSync: (result) => {
        metrics.statusPendingEvents.set(publisher?.pendingEvents ?? 0);
        control.onSync?.(result);
        releaseHeap(result);
      },
      onError: (error) => logger.error({ err: message(error) }, "sync crashed"),
    });
  if (!cluster) loop = startLoop();
  try {
    server = createHookServer({
      branch,
      githubSecret: hookSecrets.github,
      gitlabToken: hookSecrets.gitlab,
      onPush: () => loop?.trigger(),
      // A standby is ready: it is doing what it should (a rollout must not wait for it to lead).
      ready: () => cluster?.standingBy === true || syncer.desiredState !== undefined,
      registry,
      logger,
      tls: options.tlsCert && options.tlsKey ? { certFile: options.tlsCert, keyFile: options.tlsKey } : undefined,
      limits,
      ...(rateLimit === undefined ? {} : { rateLimit }),
      clock,
    });
    const port = parsePort(options.port);
    const address = await server.listen(port, options.host);
    control.onListening?.(address);
  } catch (error) {
    stop.abort();
    await loop?.done;
    await cluster?.close();
    await syncer.close();
    await closePublisher(publisher, logger);
    detach();
    throw error instanceof InputError ? error : new InputError(`cannot serve the push hook: ${message(error)}`);
  }
  if (cluster) {
    const onLost = () => {
      // As controller-runtime does: a replica that lost the lease stops, and its restart stands by.
      logger.error("lost the leader lease: stopping so that only the new leader applies");
      lostLease = true;
      stop.abort();
    };
    if (await cluster.lead(stop.signal, onLost)) {
      logger.info("leading: applying the last good state to the cluster and recording what Karpenter does");
      try {
        await syncer.restore();
        // The caches list before the first apply; a stop request does not wait for an API server that is down.
        const stopped = new Promise<void>((resolve) => stop.signal.addEventListener("abort", () => resolve()));
        await Promise.race([cluster.start({ audit: true }), stopped]);
        if (!stop.signal.aborted) loop = startLoop();
      } catch (error) {
        logger.error({ err: message(error) }, "cannot start applying to the cluster");
        startFailed = true;
        stop.abort();
      }
    }
  }
  await loop?.done;
  await cluster?.close();
  await syncer.close();
  logger.info("stopping: writing what is left of the status");
  await closePublisher(publisher, logger);
  await server.close();
  detach();
  logger.flush();
  return startFailed ? 2 : lostLease ? 1 : 0;
}

/** Writes what is left; false when it could not be committed (the events are then lost with the process). */
export async function closePublisher(publisher: StatusPublisher | undefined, logger: Logger): Promise<boolean> {
  if (!publisher) return true;
  try {
    const result = await publisher.close();
    if (result && !result.pushed) {
      logger.warn({ sha: result.sha }, "status committed locally; it is pushed by the next run with the same cache");
    }
    return true;
  } catch (error) {
    logger.error({ err: message(error) }, "status could not be written");
    return false;
  }
}

/**
 * `--once`'s exit code: 2 when Git failed or the status could not be written; 0 only when the judgement the
 * report shows accepts the head (a head judged by an earlier run or restored, "unchanged", included); 1 otherwise.
 */
export function onceExitCode(result: SyncResult, written: boolean): number {
  if (result.outcome === "failed" || !written) return 2;
  return result.accepted && result.judgement?.accepted === true ? 0 : 1;
}

function renderOnce(result: SyncResult, format: ReportFormat, out: Output): string {
  const judgement = result.judgement;
  if (!judgement) return "";
  const report = renderReport(
    {
      findings: judgement.findings,
      files: new Set(judgement.desiredState?.manifests.map((m) => m.file)).size,
      objects: judgement.desiredState?.manifests.length ?? 0,
      skipped: [],
      errors: judgement.problems.map((p) => ({ file: p.file, line: p.line, col: p.col, message: p.message })),
      rules: new Map(builtinRules.map((r) => [r.id, { title: r.title, docs: r.docs }])),
      toolVersion,
    },
    format,
    out.style,
  );
  return format === "text" ? `${report}${judgement.reason}\n` : report;
}

export function readConfigFile(file: string): PoolkeeperConfig {
  const loaded = loadConfig(readInput(file), file);
  if (!loaded.config) {
    const lines = loaded.errors.map((e) => `${e.source.file}:${e.source.line}:${e.source.col}: ${e.message}`);
    throw new InputError(`invalid config:\n  ${lines.join("\n  ")}`);
  }
  return loaded.config;
}

/** `--policy` files, each checked as `check --policy` does: one that does not load is a usage error. */
export function readPolicyFiles(files: readonly string[]): SourceFile[] {
  const read = files.map((file) => ({ path: file, text: Buffer.from(readInput(file)).toString("utf8") }));
  const problems = read.flatMap((f) =>
    loadPolicies(f.text, f.path, builtinRules).errors.map(
      (e) => `${e.source.file}:${e.source.line}:${e.source.col}: ${e.message}`,
    ),
  );
  if (problems.length > 0) throw new InputError(`invalid policy:\n  ${problems.join("\n  ")}`);
  return read;
}

export function readSigners(file: string): AllowedSigner[] {
  const parsed = parseAllowedSigners(Buffer.from(readInput(file)).toString("utf8"), file);
  if (parsed.errors.length > 0) {
    throw new InputError(
      `invalid allowed signers:\n  ${parsed.errors.map((e) => `${e.file}:${e.line}: ${e.message}`).join("\n  ")}`,
    );
  }
  if (parsed.signers.length === 0)
    throw new InputError(`--allowed-signers ${file}: no keys: every commit would be rejected`);
  return parsed.signers;
}

/** The push hook's secrets: from files, or POOLKEEPER_GITHUB_WEBHOOK_SECRET / POOLKEEPER_GITLAB_WEBHOOK_TOKEN. */
export function readHookSecrets(
  options: Pick<SyncOptions, "githubSecretFile" | "gitlabTokenFile">,
  env: NodeJS.ProcessEnv,
): { github?: string; gitlab?: string } {
  const fromFile = (file: string | undefined, flag: string) =>
    file === undefined ? undefined : readSecretFile(flag, file);
  const github =
    fromFile(options.githubSecretFile, "--github-secret-file") ?? nonEmpty(env.POOLKEEPER_GITHUB_WEBHOOK_SECRET);
  const gitlab =
    fromFile(options.gitlabTokenFile, "--gitlab-token-file") ?? nonEmpty(env.POOLKEEPER_GITLAB_WEBHOOK_TOKEN);
  const secrets: { github?: string; gitlab?: string } = {};
  if (github !== undefined) secrets.github = github;
  if (gitlab !== undefined) secrets.gitlab = gitlab;
  return secrets;
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
