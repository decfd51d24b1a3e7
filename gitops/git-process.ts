// The Git work that churns through memory runs in a child process (git-process-child.ts), not in the controller's:
// the initial clone (receiving and indexing a pack of tens of thousands of objects) and the merging of small packs
// (pack-consolidation.ts: every object of thirty-odd packs read, deflated and indexed again). In the controller's
// process both left glibc's malloc arenas and V8's young generation grown and resident with nothing live in them
// (docs/performance.md: about 170 MiB after the clone, 80 MiB after each merge); a process of its own gives all of
// it back to the system when it exits, and the event loop keeps serving /healthz and the push hook meanwhile. A
// request, credentials included, goes over the IPC channel, never argv or the environment (both readable by other
// processes). A failure comes back as the fields the error classification reads, so it reads the same in either
// process.
import { fork } from "node:child_process";
import { packsToConsolidate, removeSupersededPacks, type ConsolidationOptions } from "./pack-consolidation.ts";
import type { SourceCredentials } from "./source.ts";

export interface CloneRequest {
  url: string;
  /** The working directory; `.git` is created inside. */
  dir: string;
  branch: string;
  /** Commits of history fetched (a shallow clone); all of them when absent. */
  depth?: number;
  /** Files over this size are not read (the tree reader's limit: api's `defaultYamlLimits.maxBytes`). */
  maxFileBytes: number;
  credentials?: SourceCredentials;
  /**
   * The budget of the controller's caches (cache-size.ts): when given, the head's files are read after the clone into
   * a tree reader of that budget and handed over (`blobs`). Reading a thousand blobs through isomorphic-git (a
   * `pako.Inflate` and its buffers each) left 84 MiB of malloc arena resident in the controller's process; here it
   * goes with the child.
   */
  cacheBytes?: number;
}

export type GitProcessRequest =
  ({ op: "clone" } & CloneRequest) | { op: "merge"; dir: string; options: ConsolidationOptions };

/** An error as isomorphic-git or the network threw it, reduced to plain data. */
export interface GitProcessFailure {
  message: string;
  code?: string;
  data?: { statusCode: number; statusMessage?: string };
  cause?: GitProcessFailure;
}

export type GitProcessReply =
  { ok: true; superseded?: string[]; blobs?: [oid: string, text: string][] } | { ok: false; error: GitProcessFailure };

// The child's module beside this one: TypeScript in a source checkout, JavaScript in the built package.
const CHILD_MODULE = new URL(`./git-process-child${import.meta.url.endsWith(".ts") ? ".ts" : ".js"}`, import.meta.url);

/**
 * Clones `branch` of `url` into `dir` (no checkout, no tags) in a child process; rejects with its error. Answers
 * with the head's file texts by blob id when `cacheBytes` asks for them.
 */
export async function cloneInChildProcess(request: CloneRequest): Promise<[oid: string, text: string][]> {
  return (await inChildProcess({ op: "clone", ...request })).blobs ?? [];
}

/**
 * Writes the packs of `<dir>/.git` that are due into one, one level up, in a child process (pack-consolidation.ts's
 * `mergePacks`: nothing is removed); returns the names of the packs it supersedes, none without starting a process
 * when nothing is due.
 */
export async function mergeInChildProcess(dir: string, options: ConsolidationOptions): Promise<string[]> {
  if (packsToConsolidate(dir, options) === undefined) return [];
  return (await inChildProcess({ op: "merge", dir, options })).superseded ?? [];
}

/** Merges in a child process, then removes what the merge superseded: for a caller whose reads all wait for it. */
export async function consolidateInChildProcess(dir: string, options: ConsolidationOptions): Promise<number> {
  await mergeInChildProcess(dir, options);
  return removeSupersededPacks(dir).length;
}

function inChildProcess(request: GitProcessRequest): Promise<GitProcessReply & { ok: true }> {
  return new Promise((resolve, reject) => {
    // stdout and stderr are the parent's: the child logs nothing, but a crash of Node itself should be seen.
    const child = fork(CHILD_MODULE, [], { stdio: ["ignore", "inherit", "inherit", "ipc"], serialization: "json" });
    let reply: GitProcessReply | undefined;
    child.once("message", (message: GitProcessReply) => (reply = message));
    child.once("error", reject);
    child.once("exit", (code, signal) => {
      if (reply?.ok) resolve(reply);
      else if (reply) reject(toError(reply.error));
      else
        reject(new Error(`the Git process (${request.op}) exited with ${signal ?? `code ${code}`} before it answered`));
    });
    child.send(request);
  });
}

function toError(failure: GitProcessFailure): Error {
  const error = new Error(failure.message) as Error & Omit<GitProcessFailure, "message" | "cause">;
  if (failure.code !== undefined) error.code = failure.code;
  if (failure.data !== undefined) error.data = failure.data;
  if (failure.cause !== undefined) error.cause = toError(failure.cause);
  return error;
}
