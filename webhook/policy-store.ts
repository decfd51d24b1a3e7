// The policy in force: loaded from PoolPolicy files at start (a bad one stops the server from starting) and
// hot-reloaded when they change. A bad edit is logged with file:line:col and counted, and the previous policy
// stays in force: the webhook never goes unready, and never fails open, because someone saved a typo.
// A file caught in the middle of a non-atomic rewrite looks empty, comment-only or `---`: valid YAML holding no
// policy. So a file that held policies and now holds none is an invalid reload, and a change is applied only once
// two reads a debounce apart agree (the file has stopped changing).
import { createHash } from "node:crypto";
import { readFileSync, statSync } from "node:fs";
import { compilePolicy, type CompiledPolicy } from "../policies/index.ts";
import { loadPolicies } from "../policies/index.ts";
import type { PresetName } from "../policies/index.ts";
import { builtinRules } from "../policies/index.ts";
import {
  DEFAULT_DEBOUNCE_MS,
  watchFiles,
  type FileWatch,
  type FileWatchOptions,
  type Logger,
} from "../runtime/index.ts";
import type { WebhookMetrics } from "./metrics.ts";

/** A policy file that cannot be read or is not a valid PoolPolicy; the message has file:line:col per problem. */
export class PolicyFileError extends Error {
  override readonly name = "PolicyFileError";
}

/** Policy files larger than this are refused (the CLI's limit for any input file). */
export const MAX_POLICY_FILE_BYTES = 4 * 1024 * 1024;

export interface PolicySource {
  files: readonly string[];
  /** The base preset under the files (baseline by default), as `check --preset`. */
  preset?: PresetName;
}

interface ReadPolicy {
  contents: { file: string; bytes: Buffer }[];
  digest: string;
}

function readPolicyFiles(files: readonly string[]): ReadPolicy {
  const hash = createHash("sha256");
  const contents = files.map((file) => {
    let bytes: Buffer;
    try {
      const { size } = statSync(file);
      if (size > MAX_POLICY_FILE_BYTES) {
        throw new PolicyFileError(`${file}: file is too large (${size} bytes; the limit is ${MAX_POLICY_FILE_BYTES})`);
      }
      bytes = readFileSync(file);
    } catch (error) {
      if (error instanceof PolicyFileError) throw error;
      throw new PolicyFileError(`${file}: cannot be read (${(error as NodeJS.ErrnoException).code ?? error})`);
    }
    hash.update(file).update("\0").update(bytes).update("\0");
    return { file, bytes };
  });
  return { contents, digest: hash.digest("hex") };
}

interface Compiled {
  policy: CompiledPolicy;
  /** PoolPolicy documents per file, to tell a file that lost its policies from one that never had any. */
  counts: ReadonlyMap<string, number>;
}

/**
 * Compiles the files; `held` are the document counts of the policy in force, and a file that held policies and
 * now holds none is refused.
 */
function compile(read: ReadPolicy, preset: PresetName | undefined, held?: ReadonlyMap<string, number>): Compiled {
  const policies = [];
  const problems: string[] = [];
  const counts = new Map<string, number>();
  for (const { file, bytes } of read.contents) {
    const result = loadPolicies(bytes, file, builtinRules);
    policies.push(...result.policies);
    counts.set(file, result.policies.length);
    problems.push(...result.errors.map((e) => `${e.source.file}:${e.source.line}:${e.source.col}: ${e.message}`));
    const before = held?.get(file) ?? 0;
    if (result.errors.length === 0 && result.policies.length === 0 && before > 0) {
      problems.push(
        `${file}: holds no PoolPolicy, where it held ${before} (a file in the middle of a rewrite looks like this)`,
      );
    }
  }
  if (problems.length > 0) throw new PolicyFileError(`invalid policy:\n  ${problems.join("\n  ")}`);
  try {
    return { policy: compilePolicy(policies, { rules: builtinRules, preset }), counts };
  } catch (error) {
    throw new PolicyFileError(`invalid policy: ${(error as Error).message}`);
  }
}

/** Loads and compiles policy files as `poolkeeper check --policy` does; throws PolicyFileError. */
export function loadPolicyFiles(source: PolicySource): CompiledPolicy {
  return compile(readPolicyFiles(source.files), source.preset).policy;
}

/** What one look at the files found: see `PolicyStore.settle`. */
export type SettleOutcome = "unchanged" | "pending" | "reloaded" | "failed";

export interface PolicyStoreOptions extends PolicySource {
  logger: Logger;
  metrics: WebhookMetrics;
}

export class PolicyStore {
  readonly #options: PolicyStoreOptions;
  #current: CompiledPolicy;
  #counts: ReadonlyMap<string, number>;
  #digest: string;
  /** The digest of a change seen once and not yet confirmed by a second read. */
  #pending: string | undefined;
  #recheck: NodeJS.Timeout | undefined;
  #loadedAt: Date;
  #watch: FileWatch | undefined;

  /** Loads the policy; throws PolicyFileError when it is bad (the server does not start). */
  constructor(options: PolicyStoreOptions) {
    this.#options = options;
    const read = readPolicyFiles(options.files);
    const compiled = compile(read, options.preset);
    this.#current = compiled.policy;
    this.#counts = compiled.counts;
    this.#digest = read.digest;
    this.#loadedAt = new Date();
    options.metrics.policyLastReloadSuccessful.set(1);
  }

  /** The policy in force. A request takes it once, so a reload mid-request never mixes two policies. */
  get current(): CompiledPolicy {
    return this.#current;
  }

  get loadedAt(): Date {
    return this.#loadedAt;
  }

  /** Re-reads the files; a good policy replaces the current one, a bad one is logged, counted and ignored. */
  reload(): boolean {
    this.#pending = undefined;
    let read: ReadPolicy;
    try {
      read = readPolicyFiles(this.#options.files);
    } catch (error) {
      this.#failed(error);
      return false;
    }
    return this.#apply(read) === "reloaded";
  }

  /**
   * One look at the files, for the file watcher: a change is applied only when this read agrees with the
   * previous one (the files have stopped changing); a first sighting is kept as pending and the caller looks
   * again after its debounce.
   */
  settle(): SettleOutcome {
    let read: ReadPolicy;
    try {
      read = readPolicyFiles(this.#options.files);
    } catch (error) {
      this.#pending = undefined;
      this.#failed(error);
      return "failed";
    }
    if (read.digest === this.#digest) {
      this.#pending = undefined;
      this.#options.metrics.policyLastReloadSuccessful.set(1);
      return "unchanged";
    }
    if (read.digest !== this.#pending) {
      this.#pending = read.digest;
      return "pending";
    }
    this.#pending = undefined;
    return this.#apply(read);
  }

  #apply(read: ReadPolicy): SettleOutcome {
    const { files, preset, logger, metrics } = this.#options;
    if (read.digest === this.#digest) {
      metrics.policyLastReloadSuccessful.set(1);
      return "unchanged";
    }
    try {
      const compiled = compile(read, preset, this.#counts);
      this.#current = compiled.policy;
      this.#counts = compiled.counts;
      this.#digest = read.digest;
      this.#loadedAt = new Date();
    } catch (error) {
      this.#failed(error);
      return "failed";
    }
    metrics.policyLastReloadSuccessful.set(1);
    logger.info({ files, preset: this.#current.preset }, "policy reloaded");
    return "reloaded";
  }

  #failed(error: unknown): void {
    const { files, logger, metrics } = this.#options;
    metrics.policyReloadErrors.inc();
    metrics.policyLastReloadSuccessful.set(0);
    const message = error instanceof Error ? error.message : String(error);
    logger.error(
      { files, error: message, problems: problemLines(message) },
      "policy reload failed; the previous policy stays in force",
    );
  }

  watch(options: FileWatchOptions): void {
    const debounceMs = options.debounceMs ?? DEFAULT_DEBOUNCE_MS;
    const look = () => {
      clearTimeout(this.#recheck);
      if (this.settle() !== "pending") return;
      this.#recheck = setTimeout(look, debounceMs);
      this.#recheck.unref();
    };
    this.#watch ??= watchFiles(this.#options.files, look, options);
  }

  close(): void {
    clearTimeout(this.#recheck);
    this.#watch?.close();
    this.#watch = undefined;
  }
}

// "invalid policy:\n  a.yaml:3:5: …" → ["a.yaml:3:5: …"], so each problem is one searchable log field entry.
function problemLines(message: string): string[] {
  return message
    .split("\n")
    .slice(1)
    .map((line) => line.trim())
    .filter((line) => line !== "");
}
