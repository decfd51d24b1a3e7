// A `poolkeeper sync` controller for tests, as the command wires it: a Git source and a status writer over their
// own cache directories, the status publisher (flushed by hand: its retries are a minute apart) and the Syncer.
import { join } from "node:path";
import type { Logger } from "pino";
import { systemClock, type TimerClock } from "../../api/ports.ts";
import type { AllowedSigner } from "../../gitops/commit-signature.ts";
import { openSource, type SourceCredentials } from "../../gitops/source.ts";
import { StatusPublisher } from "../../gitops/status-publisher.ts";
import { createStatusWriter, type StatusWriter } from "../../gitops/status-writer.ts";
import { Syncer } from "../../gitops/sync.ts";
import { createLogger } from "../../runtime/index.ts";

export const STATUS_BRANCH = "poolkeeper-status";

export interface SyncControllerOptions {
  /** The repository's URL (without credentials). */
  url: string;
  /** A directory of its own: the source's and the writer's caches go below it. */
  cacheDir: string;
  credentials?: SourceCredentials;
  cluster?: string;
  /** The status path on the status branch; `status/<cluster>/` by default. */
  path?: string;
  signers?: readonly AllowedSigner[];
  /** A logger that writes nothing by default. */
  logger?: Logger;
  clock?: TimerClock;
  /** The publisher writes only when flushed (as `sync --once`). */
  manual?: boolean;
  /** Commits the source's initial clone fetches (source.ts's CLONE_DEPTH by default). */
  cloneDepth?: number;
}

export interface SyncController {
  syncer: Syncer;
  publisher: StatusPublisher;
  writer: StatusWriter;
}

export function syncController(options: SyncControllerOptions): SyncController {
  const cluster = options.cluster ?? "prod";
  const clock = options.clock ?? systemClock;
  const logger = options.logger ?? createLogger({ level: "fatal", destination: { write: () => undefined } });
  const { credentials } = options;
  const source = openSource({
    url: options.url,
    branch: "main",
    cacheDir: join(options.cacheDir, "source"),
    ...(credentials ? { credentials } : {}),
    ...(options.cloneDepth === undefined ? {} : { cloneDepth: options.cloneDepth }),
  });
  const writer = createStatusWriter({
    url: options.url,
    branch: STATUS_BRANCH,
    path: options.path ?? `status/${cluster}/`,
    cacheDir: join(options.cacheDir, "status"),
    author: { name: "poolkeeper", email: "poolkeeper@example.test" },
    ...(credentials ? { credentials } : {}),
    retries: { max: 10, minBackoffMs: 1, maxBackoffMs: 20 },
  });
  const publisher = new StatusPublisher({
    writer,
    cluster,
    coalesceMs: 0,
    clock,
    logger,
    ...(options.manual ? { manual: true } : {}),
    retry: { minBackoffMs: 60_000, maxBackoffMs: 60_000 }, // tests flush by hand
  });
  const syncer = new Syncer({
    source,
    cluster,
    publisher,
    statusHistory: () => writer.history(),
    ...(options.signers ? { signers: options.signers } : {}),
    clock,
    logger,
  });
  return { syncer, publisher, writer };
}
