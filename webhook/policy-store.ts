// The policy in force: loaded from PoolPolicy files at start (a bad one stops the server from starting) and
// hot-reloaded when they change. A bad edit is logged with file:line:col and counted, and the previous policy
// stays in force: the webhook never goes unready, and never fails open, because someone saved a typo.
import { createHash } from "node:crypto";
import { readFileSync, statSync } from "node:fs";
import { compilePolicy, type CompiledPolicy } from "../policies/compiled-policy.ts";
import { loadPolicies } from "../policies/load-policies.ts";
import type { PresetName } from "../policies/policy-document.ts";
import { builtinRules } from "../policies/rules/index.ts";
import { watchFiles, type FileWatch, type FileWatchOptions, type Logger } from "../runtime/index.ts";
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

function compile(read: ReadPolicy, preset: PresetName | undefined): CompiledPolicy {
  const policies = [];
  const problems: string[] = [];
  for (const { file, bytes } of read.contents) {
    const result = loadPolicies(bytes, file, builtinRules);
    policies.push(...result.policies);
    problems.push(...result.errors.map((e) => `${e.source.file}:${e.source.line}:${e.source.col}: ${e.message}`));
  }
  if (problems.length > 0) throw new PolicyFileError(`invalid policy:\n  ${problems.join("\n  ")}`);
  try {
    return compilePolicy(policies, { rules: builtinRules, preset });
  } catch (error) {
    throw new PolicyFileError(`invalid policy: ${(error as Error).message}`);
  }
}

/** Loads and compiles policy files as `poolkeeper check --policy` does; throws PolicyFileError. */
export function loadPolicyFiles(source: PolicySource): CompiledPolicy {
  return compile(readPolicyFiles(source.files), source.preset);
}

export interface PolicyStoreOptions extends PolicySource {
  logger: Logger;
  metrics: WebhookMetrics;
}

export class PolicyStore {
  readonly #options: PolicyStoreOptions;
  #current: CompiledPolicy;
  #digest: string;
  #loadedAt: Date;
  #watch: FileWatch | undefined;

  /** Loads the policy; throws PolicyFileError when it is bad (the server does not start). */
  constructor(options: PolicyStoreOptions) {
    this.#options = options;
    const read = readPolicyFiles(options.files);
    this.#current = compile(read, options.preset);
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
    const { files, preset, logger, metrics } = this.#options;
    try {
      const read = readPolicyFiles(files);
      if (read.digest === this.#digest) {
        metrics.policyLastReloadSuccessful.set(1);
        return false;
      }
      this.#current = compile(read, preset);
      this.#digest = read.digest;
      this.#loadedAt = new Date();
    } catch (error) {
      metrics.policyReloadErrors.inc();
      metrics.policyLastReloadSuccessful.set(0);
      const message = error instanceof Error ? error.message : String(error);
      logger.error(
        { files, error: message, problems: problemLines(message) },
        "policy reload failed; the previous policy stays in force",
      );
      return false;
    }
    metrics.policyLastReloadSuccessful.set(1);
    logger.info({ files, preset: this.#current.preset }, "policy reloaded");
    return true;
  }

  watch(options: FileWatchOptions): void {
    this.#watch ??= watchFiles(this.#options.files, () => this.reload(), options);
  }

  close(): void {
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
