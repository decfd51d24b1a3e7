// Between the producers of status (the Git gate today, the controller's provisioning, interruption and
// disruption loops later) and the status writer: one API to record events and update what the status says,
// and one place that decides when a commit is made. Writes are coalesced (at most one per `coalesceMs`, the
// first at once), serialized, and never lose an event: events leave the queue only once a commit holds them,
// and a failed write puts them back and retries with backoff. A commit the remote did not take yet stays in
// the local clone; the publisher keeps retrying until it is pushed.
import type { Timer, TimerClock } from "../api/index.ts";
import type { Logger } from "pino";
import {
  commitMessage,
  renderStatusFiles,
  isoSeconds,
  RECENT_EVENTS,
  type PoolLiveStatus,
  type PoolStatus,
  type StatusEvent,
  type StatusSource,
  withLiveStatus,
} from "./status-render.ts";
import { statusActionKey, type ActionEvent } from "./status-action-key.ts";
import type { StatusWriteResult, StatusWriter } from "./status-writer.ts";

export interface StatusPublisherOptions {
  writer: StatusWriter;
  cluster: string;
  /** Minimum interval between two writes, in milliseconds. */
  coalesceMs: number;
  /** The events' times, and the timers of coalescing and retries. */
  clock: TimerClock;
  logger: Logger;
  /** Backoff after a failed or unpushed write. */
  retry: { minBackoffMs: number; maxBackoffMs: number };
  /** Told about every write attempt (metrics). */
  onWrite?: (outcome: StatusWriteOutcome) => void;
  /** Only `flush()` and `close()` write (a one-shot run); no timers. */
  manual?: boolean;
  /**
   * The status branch's history, read again before the first write after `reseed()`: the node actions it holds
   * are not committed twice (status-action-key.ts).
   */
  history?: () => Promise<readonly { cluster?: string; events: readonly ActionEvent[] }[]>;
}

export type StatusWriteOutcome = "pushed" | "unchanged" | "pending" | "failed";

/**
 * The cluster's figures for each NodePool (status-model.ts `PoolLiveStatus`), read when a commit is written;
 * undefined while the controller cannot tell yet (the fields stay absent).
 */
export type PoolLiveSource = () => Promise<ReadonlyMap<string, PoolLiveStatus> | undefined>;

/** An event as a producer records it; the time defaults to the clock's now. */
export type RecordedEvent = Omit<StatusEvent, "time"> & { time?: string };

/** Events kept for the status files (they show the newest RECENT_EVENTS overall and per pool). */
const KEPT_EVENTS = RECENT_EVENTS * 5;

/** Bound on the action keys kept; the oldest are forgotten first (their nodes are long gone). */
const KEPT_ACTIONS = 100_000;

export class StatusPublisher {
  readonly #options: StatusPublisherOptions;
  #source: StatusSource = { sha: "", accepted: true, findings: [] };
  #pools: PoolStatus[] = [];
  #live: PoolLiveSource | undefined;
  /** What `#live` last answered: kept when a read fails, so a commit never drops the figures it can't renew. */
  #lastLive: ReadonlyMap<string, PoolLiveStatus> | undefined;
  /** Events not yet in any commit, oldest first. */
  #pending: StatusEvent[] = [];
  /** Recent events shown in the files, oldest first. */
  #recent: StatusEvent[] = [];
  /** Keys of the node actions recorded (by this process, or in the branch when seeded): each is recorded once. */
  readonly #actions = new Set<string>();
  /** Keys of the node actions the branch holds, as last read from it (`reseed`); pending ones are checked again. */
  readonly #committed = new Set<string>();
  #stale = false;
  #dirty = false;
  #unpushed = false;
  #failures = 0;
  #lastWriteAt = Number.NEGATIVE_INFINITY;
  #timer: Timer | undefined;
  #chain: Promise<unknown> = Promise.resolve();
  #closed = false;

  constructor(options: StatusPublisherOptions) {
    this.#options = options;
  }

  /** Events recorded and not yet committed. */
  get pendingEvents(): number {
    return this.#pending.length;
  }

  /** Whether a commit is waiting in the local clone for the remote to take it. */
  get unpushed(): boolean {
    return this.#unpushed;
  }

  /**
   * Records an event from any producer; it lands in the next commit's trailers and the status files. A node action
   * already recorded (status-action-key.ts) is dropped: a producer re-deriving its reports after a restart reports
   * each action once.
   */
  record(event: RecordedEvent): void {
    const key = statusActionKey(event);
    if (key !== undefined) {
      if (this.#actions.has(key)) return;
      this.#rememberAction(key);
    }
    const full: StatusEvent = { ...event, time: event.time ?? isoSeconds(this.#options.clock.now()) };
    this.#pending.push(full);
    this.#remember([full]);
    this.#schedule();
  }

  /**
   * Replaces the source section and/or the pools of the status. With `write: false` nothing is written for this
   * change alone (a restart restoring what the branch already says); the next write includes it.
   */
  update(part: { source?: StatusSource; pools?: PoolStatus[] }, options: { write?: boolean } = {}): void {
    if (part.source) this.#source = part.source;
    if (part.pools) this.#pools = part.pools;
    if (options.write !== false) this.#schedule();
  }

  /**
   * Where the pools' live fields (nodes, usage, hourly cost) come from. They are read with each commit the publisher
   * makes anyway (for events or a changed source) and never cause one: the status branch gets no commit per usage
   * change, and its figures are as fresh as its last event.
   */
  fillPools(source: PoolLiveSource): void {
    this.#live = source;
  }

  /** Events already committed before this process started (read back from the status branch), for the files. */
  seed(events: readonly StatusEvent[]): void {
    this.#remember(events);
  }

  /** Node actions the status branch already records (its history's events), so they are not recorded again. */
  seedActions(events: readonly ActionEvent[]): void {
    for (const event of events) {
      const key = statusActionKey(event);
      if (key !== undefined) this.#rememberAction(key);
    }
  }

  /**
   * The branch may have moved since it was read (another replica led meanwhile): the next write reads its history
   * first and drops the pending node actions it already holds. Called when this replica starts acting.
   */
  reseed(): void {
    if (this.#options.history) this.#stale = true;
    // A previous process may have left a commit in the local clone (the same cache directory) that the remote never
    // took: its events are in the history read at start, so their re-derived reports are dropped. The next write
    // pushes it, and until one has, a flush (termination's, before a finalizer goes) does not report it done.
    this.#unpushed = true;
  }

  #rememberAction(key: string, keys: Set<string> = this.#actions): void {
    keys.add(key);
    if (keys.size > KEPT_ACTIONS) {
      const oldest = keys.values().next().value;
      if (oldest !== undefined) keys.delete(oldest);
    }
  }

  /** The pending events less the node actions the branch already holds (read again when stale). */
  async #uncommitted(events: StatusEvent[]): Promise<StatusEvent[]> {
    if (this.#stale && this.#options.history) {
      for (const entry of await this.#options.history()) {
        if (entry.cluster !== this.#options.cluster) continue;
        for (const event of entry.events) {
          const key = statusActionKey(event);
          if (key !== undefined) this.#rememberAction(key, this.#committed);
        }
      }
      this.#stale = false;
    }
    return events.filter((event) => {
      const key = statusActionKey(event);
      return key === undefined || !this.#committed.has(key);
    });
  }

  /** Writes now (after any write in flight) if anything changed or a commit is waiting to be pushed. */
  flush(): Promise<StatusWriteResult | undefined> {
    this.#clearTimer();
    const run = this.#chain.then(() => this.#write());
    this.#chain = run.catch(() => undefined);
    return run;
  }

  /** Stops scheduling and writes what is left (one attempt). */
  async close(): Promise<StatusWriteResult | undefined> {
    this.#closed = true;
    this.#clearTimer();
    return this.flush();
  }

  #remember(events: readonly StatusEvent[]): void {
    this.#recent.push(...events);
    if (this.#recent.length > KEPT_EVENTS) this.#recent.splice(0, this.#recent.length - KEPT_EVENTS);
  }

  #schedule(delayMs?: number): void {
    this.#dirty = true;
    this.#arm(delayMs);
  }

  #arm(delayMs?: number): void {
    if (this.#closed || this.#timer || this.#options.manual === true) return;
    const due = this.#lastWriteAt + this.#options.coalesceMs - this.#options.clock.now().getTime();
    const wait = Math.max(0, delayMs ?? due);
    // A pending write alone does not keep the process alive: the owner flushes on close.
    this.#timer = this.#options.clock
      .afterFunc(wait, () => {
        this.#timer = undefined;
        this.flush().catch(() => undefined); // logged in #write; retried by its backoff
      })
      .unref();
  }

  #clearTimer(): void {
    this.#timer?.stop();
    this.#timer = undefined;
  }

  #backoff(): number {
    const { minBackoffMs, maxBackoffMs } = this.#options.retry;
    const base = Math.min(maxBackoffMs, minBackoffMs * 2 ** Math.min(this.#failures, 30));
    return Math.round(base / 2 + (Math.random() * base) / 2);
  }

  async #readLive(): Promise<ReadonlyMap<string, PoolLiveStatus> | undefined> {
    if (this.#live === undefined) return undefined;
    try {
      this.#lastLive = (await this.#live()) ?? this.#lastLive;
    } catch (error) {
      this.#options.logger.warn(
        { err: { message: error instanceof Error ? error.message : String(error) } },
        "reading the pools' nodes and usage failed; the status keeps the last figures",
      );
    }
    return this.#lastLive;
  }

  async #write(): Promise<StatusWriteResult | undefined> {
    if (!this.#dirty && !this.#unpushed) return undefined;
    const { writer, cluster, logger, clock } = this.#options;
    this.#dirty = false;
    let events = this.#pending.splice(0);
    // The files show the events recorded so far, these among them: one recorded while this write reads the branch
    // goes into the next commit's files and trailers together (a commit whose files already showed it would leave
    // the next one nothing to change).
    const recent = [...this.#recent];
    try {
      events = await this.#uncommitted(events);
    } catch (error) {
      // The branch could not be read: the events wait, as after a failed write.
      this.#pending.unshift(...events);
      this.#dirty = true;
      this.#failures++;
      const delay = this.#backoff();
      logger.warn(
        { err: { message: error instanceof Error ? error.message : String(error) }, retryInMs: delay },
        "reading the status branch failed; events kept for the next attempt",
      );
      this.#arm(delay);
      throw error;
    }
    const live = await this.#readLive();
    const pools = live === undefined ? this.#pools : withLiveStatus(this.#pools, live);
    const model = { cluster, source: this.#source, pools, events: recent };
    this.#lastWriteAt = clock.now().getTime();
    let result: StatusWriteResult;
    try {
      result = await writer.write({
        files: renderStatusFiles(model),
        message: commitMessage(model, events, { cluster }),
        // Events are recorded in the trailers: committed even if the files show nothing new (more events in one
        // second than the files list, say).
        keep: events.length > 0,
      });
    } catch (error) {
      // Not committed: the events go back to the front of the queue and the write is retried.
      this.#pending.unshift(...events);
      this.#dirty = true;
      this.#failures++;
      this.#options.onWrite?.("failed");
      const delay = this.#backoff();
      logger.error(
        { err: { message: error instanceof Error ? error.message : String(error) }, retryInMs: delay },
        "status write failed; events kept for the next attempt",
      );
      this.#arm(delay);
      throw error;
    }
    for (const event of events) {
      const key = statusActionKey(event);
      if (key !== undefined) this.#rememberAction(key, this.#committed);
    }
    this.#unpushed = !result.pushed;
    if (result.pushed) {
      this.#failures = 0;
      this.#options.onWrite?.(result.unchanged ? "unchanged" : "pushed");
      if (!result.unchanged) logger.info({ sha: result.sha, events: events.length }, "status committed and pushed");
    } else {
      this.#failures++;
      this.#options.onWrite?.("pending");
      const delay = this.#backoff();
      logger.warn({ sha: result.sha, retryInMs: delay }, "status committed locally; the remote is unreachable");
      this.#arm(delay);
    }
    if (this.#dirty) this.#arm();
    return result;
  }
}
