// One sync of the desired state: fetch the branch, and when its head is new, read and judge it through the
// policy gate. An accepted head becomes the desired state; a rejected one (or a fetch that fails, or history
// that was rewritten) leaves the last good state in force, and each is reported through the status publisher,
// the log and the metrics. Each commit is judged with the policies of the last accepted one (gate-policy.ts).
// `restore` recovers the last good state after a restart from the status branch's `Poolkeeper-Source` trailers,
// before the head is trusted. The status branch is not a trusted input (anyone who can push to it can write a
// trailer): what it names is judged again, as it was judged when it was accepted, and refused if the gate says no.
// Judging runs in slices (runtime's runInSlices), and large files are parsed in a worker thread before it
// (large-files.ts): the process serves its push hook and probes meanwhile. `close` stops the worker threads.
import type { Logger } from "pino";
import type { InstanceTypeCatalog } from "../cloudprovider/index.ts";
import type { Clock } from "../api/index.ts";
import type { Finding } from "../policies/index.ts";
import type { AllowedSigner } from "./commit-signature.ts";
import type { PoolkeeperConfig } from "./config.ts";
import { runInSlices } from "../runtime/index.ts";
import { GateCache, judgeCommitStepwise, readCommit, type DesiredState, type Judgement } from "./gate.ts";
import { gatePolicy } from "./gate-policy.ts";
import { LargeFileReader } from "./large-files.ts";
import type { HistoryEntry } from "./history.ts";
import type { SyncMetrics, SyncOutcome } from "./metrics.ts";
import { SourceError, type GitSource, type SourceFile } from "./source.ts";
import type { StatusPublisher } from "./status-publisher.ts";
import { isoSeconds, summarizePool, type StatusEvent } from "./status-render.ts";

export interface SyncerOptions {
  source: GitSource;
  cluster: string;
  /** Where status goes; without one the syncer only judges (and cannot restore after a restart). */
  publisher?: StatusPublisher;
  /** Reads the status branch's history (restore); the status writer's `history`. */
  statusHistory?: () => Promise<HistoryEntry[]>;
  /** Replaces each commit's `poolkeeper.yaml`. */
  configOverride?: PoolkeeperConfig;
  catalog?: InstanceTypeCatalog;
  /** When given, a commit is accepted only if signed by one of these keys. */
  signers?: readonly AllowedSigner[];
  /** PoolPolicy files kept outside the repository (`--policy`): they judge every commit, never policies/. */
  policies?: readonly SourceFile[];
  clock: Clock;
  logger: Logger;
  metrics?: SyncMetrics;
  /**
   * How long the gate judges before it lets the event loop through (runtime's DEFAULT_SLICE_MS by default; 0:
   * after every file and object), so that /healthz and the push hook answer while a large commit is judged.
   */
  judgeSliceMs?: number;
  /** Parses large pool files off the event loop (a LargeFileReader with its defaults when not given). */
  largeFiles?: LargeFileReader;
}

export interface SyncResult {
  outcome: SyncOutcome;
  /** The branch head this sync looked at; undefined when the fetch failed. */
  sha?: string;
  /** Whether that head is accepted. */
  accepted: boolean;
  /** The head's findings. */
  findings: Finding[];
  /** The desired state in force after this sync: the last good one. */
  desiredState?: DesiredState;
  /** The head's judgement (from an earlier sync when the head is unchanged). */
  judgement?: Judgement;
  /** Set when the fetch failed. */
  error?: SourceError;
  /** Whether the head no longer descends from the previously seen one (a force-push). */
  rewritten?: boolean;
}

/** How many of the newest last good commits the status branch names a restore judges again, oldest first. */
export const RESTORE_DEPTH = 10;

export class Syncer {
  readonly #o: SyncerOptions;
  #lastGood: DesiredState | undefined;
  #lastGoodFindings: Finding[] = [];
  /** The head judged last and its judgement (accepted or not). */
  #head: Judgement | undefined;
  #failure: string | undefined;
  readonly #gateCache = new GateCache();
  readonly #largeFiles: LargeFileReader;
  /** The head the status branch says was rejected before a restart: its rejection is not reported twice. */
  #reportedRejection: string | undefined;
  /** The judgement `#judgeAsSuccessor` runs between syncs, while it runs (the next judgement waits for it). */
  #priming: Promise<void> | undefined;

  constructor(options: SyncerOptions) {
    this.#o = options;
    this.#largeFiles = options.largeFiles ?? new LargeFileReader();
  }

  /** Stops the threads that parse large files; a sync after this reads them on the event loop's own thread. */
  async close(): Promise<void> {
    await this.#priming;
    await this.#largeFiles.close();
  }

  /** What each cache of the Git side holds, in bytes: the source's and the gate's (`gate`, an estimate). */
  async cacheSizes(): Promise<Record<string, number>> {
    return { ...(await this.#o.source.cacheSizes?.()), gate: this.#gateCache.bytes };
  }

  /** How many objects the gate has judged, and how many it found unchanged with all they read (findings-cache.ts). */
  get judgedObjects(): { judged: number; reused: number } {
    return this.#gateCache.findings.counts;
  }

  /** The desired state in force: the last accepted commit's. */
  get desiredState(): DesiredState | undefined {
    return this.#lastGood;
  }

  /**
   * Restores the last good state from the status branch and re-reads it from the source. The branch names it
   * (`Poolkeeper-Source`), but a name proves nothing: the newest RESTORE_DEPTH commits it names for this cluster
   * are judged again, oldest first, each with the policies of the one before it that passed (the oldest as on a
   * first sync), signatures included; the newest that passes is restored. Every newer one that does not is
   * reported. Returns the restored state; undefined when none passed (the next sync then judges the head as a
   * first sync would).
   */
  async restore(): Promise<DesiredState | undefined> {
    const { logger, statusHistory, publisher, source, cluster } = this.#o;
    if (!statusHistory) return undefined;
    await this.#priming;
    let entries: HistoryEntry[];
    try {
      entries = await statusHistory();
    } catch (error) {
      logger.warn({ err: message(error) }, "cannot read the status branch; nothing restored");
      return undefined;
    }
    const mine = entries.filter((e) => e.cluster === cluster);
    publisher?.seed(seedEvents(mine));
    publisher?.seedActions(mine.flatMap((e) => e.events));
    const named = mine.filter((e) => e.source !== undefined && /^[0-9a-f]{40}$/.test(e.source));
    const newest = named[0];
    if (newest === undefined) return undefined;
    const candidates = [...new Set(named.map((e) => e.source ?? ""))].slice(0, RESTORE_DEPTH).reverse();
    // A first start has no clone yet; a failed fetch is fine when the cache still holds the commits.
    await source.fetch().catch((error: unknown) => logger.warn({ err: message(error) }, "fetch before restore failed"));
    // A shallow clone may not reach back to them (source.ts, CLONE_DEPTH).
    await source.ensureCommits?.(candidates);

    let trusted: Judgement | undefined;
    /** Whether `trusted` was judged with no last good state before it (see `#judgeAsSuccessor`). */
    let trustedAlone = false;
    let refused: { sha: string; kind: "rejected" | "fetch-failed"; why: string }[] = [];
    for (const sha of candidates) {
      let judgement: Judgement;
      try {
        judgement = await this.#judge(sha, trusted?.desiredState);
      } catch (error) {
        logger.error({ sha, err: message(error) }, "cannot re-read a last good commit named by the status branch");
        refused.push({
          sha,
          kind: "fetch-failed",
          why: `cannot restore last good ${sha.slice(0, 7)}: ${message(error)}`,
        });
        continue;
      }
      if (judgement.accepted) {
        trustedAlone = trusted === undefined;
        trusted = judgement;
        refused = []; // older than what is restored: they no longer matter
        continue;
      }
      logger.warn({ sha, reason: judgement.reason }, "the status branch names a last good commit the gate rejects");
      const why = `the status branch names ${sha.slice(0, 7)} as the last good state, but ${judgement.reason}`;
      refused.push({ sha, kind: "rejected", why });
    }

    const instead = trusted ? `last good ${trusted.sha.slice(0, 7)} restored instead` : "nothing restored";
    for (const r of refused) publisher?.record({ kind: r.kind, reason: `${r.why}; ${instead}`, sourceSha: r.sha });
    if (!trusted?.desiredState) return undefined;
    this.#lastGood = trusted.desiredState;
    this.#lastGoodFindings = trusted.findings;
    this.#head = trusted;
    if (trustedAlone) this.#judgeAsSuccessor(trusted.desiredState);
    const asNamed = trusted.sha === newest.source && refused.length === 0;
    // The newest status commit's rejected head was reported by the process that wrote it.
    if (asNamed) this.#reportedRejection = newest.rejected;
    logger.info({ sha: trusted.sha }, "restored the last good state from the status branch");
    this.#publish({ write: !asNamed }); // when restored as named, the branch says this already
    return this.#lastGood;
  }

  /** Fetches and, for a new head, judges it. Never throws for Git or input problems. */
  async sync(): Promise<SyncResult> {
    const { source, logger, metrics, publisher, clock } = this.#o;
    // Not beside the judging left running between syncs: it reads the clone the fetch changes.
    await this.#priming;
    const started = performance.now();
    const done = (result: SyncResult): SyncResult => {
      // The Git upkeep the fetch made due, once this sync is over (source.ts `maintain`): after the caller's
      // continuation, so that the merge's process starts between syncs.
      setImmediate(() => source.maintain?.());
      metrics?.syncs.inc({ result: result.outcome });
      metrics?.duration.observe((performance.now() - started) / 1000);
      if (result.outcome !== "failed") metrics?.lastSuccess.set(clock.now().getTime() / 1000);
      if (result.sha !== undefined) metrics?.headAccepted.set(result.accepted ? 1 : 0);
      return result;
    };

    let sha: string;
    try {
      sha = (await source.fetch()).sha;
    } catch (error) {
      return done(this.#failed(error));
    }
    if (this.#failure !== undefined) {
      logger.info({ sha }, "the Git remote answers again");
      this.#failure = undefined;
    }
    const previous = this.#head;
    if (previous?.sha === sha) {
      return done({ outcome: "unchanged", sha, ...this.#headView(previous), judgement: previous });
    }

    let rewritten = false;
    const seen = previous?.sha ?? this.#lastGood?.sha;
    if (seen !== undefined && !(await source.descends(sha, seen))) {
      rewritten = true;
      metrics?.rewrites.inc();
      const reason = `branch ${source.branch} was rewritten (force-push): ${sha.slice(0, 7)} does not descend from ${seen.slice(0, 7)}`;
      logger.warn({ sha, previous: seen }, reason);
      publisher?.record({ kind: "rewritten", reason, sourceSha: sha });
    }

    let judgement: Judgement;
    try {
      judgement = await this.#judge(sha, this.#lastGood);
    } catch (error) {
      return done(this.#failed(error));
    }
    this.#head = judgement;
    const alreadyReported = this.#reportedRejection === sha;
    this.#reportedRejection = undefined;
    if (judgement.accepted && judgement.desiredState) {
      if (this.#lastGood === undefined) this.#judgeAsSuccessor(judgement.desiredState);
      this.#lastGood = judgement.desiredState;
      this.#lastGoodFindings = judgement.findings;
      logger.info({ sha, findings: judgement.findings.length }, judgement.reason);
      publisher?.record({ kind: "accepted", reason: judgement.reason, sourceSha: sha });
    } else {
      const good = this.#lastGood ? `last good ${this.#lastGood.sha.slice(0, 7)} stays in force` : "no good state yet";
      const reason = `${judgement.reason}; ${good}`;
      logger.warn({ sha, lastGood: this.#lastGood?.sha, problems: judgement.problems.length }, reason);
      // Already in the audit trail when a restart re-judges the head the previous process rejected.
      if (!alreadyReported) publisher?.record({ kind: "rejected", reason, sourceSha: sha });
    }
    this.#publish();
    if (metrics)
      for (const [cache, bytes] of Object.entries(await this.cacheSizes())) metrics.cacheBytes.set({ cache }, bytes);
    const result: SyncResult = {
      outcome: judgement.accepted ? "accepted" : "rejected",
      sha,
      ...this.#headView(judgement),
      judgement,
    };
    if (rewritten) result.rewritten = true;
    return done(result);
  }

  /** Resolves once the judging `sync` left running between syncs is done (tests, benchmarks). */
  async idle(): Promise<void> {
    await this.#priming;
  }

  /**
   * Judges an accepted state that had no last good state before it (the first sync after a start, or a restore of
   * one commit) once more, as its own successor, between syncs. The first judgement gave each object no previous
   * version (a creation: CEL's `oldObject` is null, the change-impact rules and ratcheting see nothing to compare);
   * every later commit gives each unchanged object its own last good version. Those are other inputs to the engine
   * (other prepared targets), so the first incremental sync judged all 1,000 pools again: 1.0–1.5 s, the slowest
   * syncs of a run (docs/performance.md). Judged here, off the sync path, the next sync finds every unchanged
   * object already judged as such; a sync that comes first waits for it. Its result is not used.
   */
  #judgeAsSuccessor(state: DesiredState): void {
    // Once the caller has the sync's result, as the Git upkeep (`maintain`) is started.
    const judging = new Promise((resolve) => setImmediate(resolve))
      .then(() => this.#judge(state.sha, state))
      .then(
        () => undefined,
        () => undefined, // the next sync judges what this did not
      );
    this.#priming = judging;
    void judging.finally(() => {
      if (this.#priming === judging) this.#priming = undefined;
    });
  }

  /** Judges `sha` as the successor of `lastGood`: with its policies, its objects as the previous versions. */
  async #judge(sha: string, lastGood: DesiredState | undefined): Promise<Judgement> {
    const { source, signers } = this.#o;
    const files = await readCommit(source, sha, this.#o.configOverride);
    await this.#largeFiles.read(files.pools, this.#gateCache);
    let signatureProblem: string | undefined;
    if (signers) {
      const verdict = await source.verifySignature(sha, signers);
      if (!verdict.ok) signatureProblem = `commit ${sha.slice(0, 7)} signature: ${verdict.reason}`;
    }
    const judging = judgeCommitStepwise(files, {
      cache: this.#gateCache,
      catalog: this.#o.catalog,
      now: this.#o.clock.now(),
      previous: lastGood,
      signatureProblem,
      policy: gatePolicy(files, lastGood, this.#o.policies),
    });
    return runInSlices(judging, this.#o.judgeSliceMs);
  }

  #headView(head: Judgement): Pick<SyncResult, "accepted" | "findings" | "desiredState"> {
    const view: Pick<SyncResult, "accepted" | "findings" | "desiredState"> = {
      accepted: head.accepted,
      findings: head.findings,
    };
    if (this.#lastGood) view.desiredState = this.#lastGood;
    return view;
  }

  #failed(error: unknown): SyncResult {
    const { logger, publisher } = this.#o;
    const sourceError = error instanceof SourceError ? error : new SourceError("other", message(error));
    // Reported once per distinct failure: a remote down for an hour is one event, not sixty.
    if (this.#failure !== sourceError.message) {
      this.#failure = sourceError.message;
      const good = this.#lastGood ? `; last good ${this.#lastGood.sha.slice(0, 7)} stays in force` : "";
      publisher?.record({ kind: "fetch-failed", reason: `${sourceError.message}${good}` });
    }
    logger.warn(
      { kind: sourceError.kind, err: sourceError.message },
      "sync failed; the last good state stays in force",
    );
    const result: SyncResult = { outcome: "failed", accepted: false, findings: [], error: sourceError };
    if (this.#lastGood) result.desiredState = this.#lastGood;
    return result;
  }

  #publish(options: { write?: boolean } = {}): void {
    const publisher = this.#o.publisher;
    if (!publisher) return;
    const head = this.#head;
    const good = this.#lastGood;
    const source =
      head && !head.accepted
        ? {
            sha: good?.sha ?? "",
            accepted: false,
            findings: head.findings,
            rejectedSha: head.sha,
            rejectedReason: head.reason,
          }
        : { sha: good?.sha ?? "", accepted: true, findings: this.#lastGoodFindings };
    publisher.update({ source, pools: (good?.nodePools ?? []).map(summarizePool) }, options);
  }
}

/** The newest events of earlier commits, oldest first, with their commit's time. */
function seedEvents(entries: readonly HistoryEntry[]): StatusEvent[] {
  const events: StatusEvent[] = [];
  for (const entry of entries.slice(0, 100)) {
    const time = isoSeconds(entry.time);
    for (const e of [...entry.events].reverse()) {
      const event: StatusEvent = { time, kind: e.kind, reason: e.reason };
      if (e.pool !== undefined) event.pool = e.pool;
      if (e.node !== undefined) event.node = e.node;
      if (entry.source !== undefined) event.sourceSha = entry.source;
      events.push(event);
    }
  }
  return events.reverse();
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
