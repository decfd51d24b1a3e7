// The initial clone runs in a child process (clone-child.ts), not in the controller's: what the clone allocates is
// given back when that process exits (see there), and the event loop keeps serving /healthz and the push hook while
// the pack is indexed. The request, credentials included, goes over the IPC channel, never argv or the environment
// (both readable by other processes). A failure comes back as the fields the error classification reads, so a
// clone fails with the same words in either process.
import { fork } from "node:child_process";
import type { SourceCredentials } from "./source.ts";

export interface CloneRequest {
  url: string;
  /** The working directory; `.git` is created inside. */
  dir: string;
  branch: string;
  /** Commits of history fetched (a shallow clone); all of them when absent. */
  depth?: number;
  credentials?: SourceCredentials;
}

/** An error as isomorphic-git or the network threw it, reduced to plain data. */
export interface CloneFailure {
  message: string;
  code?: string;
  data?: { statusCode: number; statusMessage?: string };
  cause?: CloneFailure;
}

export type CloneReply = { ok: true } | { ok: false; error: CloneFailure };

// The child's module beside this one: TypeScript in a source checkout, JavaScript in the built package.
const CHILD_MODULE = new URL(`./clone-child${import.meta.url.endsWith(".ts") ? ".ts" : ".js"}`, import.meta.url);

/** Clones `branch` of `url` into `dir` (no checkout, no tags) in a child process; rejects with its error. */
export function cloneInChildProcess(request: CloneRequest): Promise<void> {
  return new Promise((resolve, reject) => {
    // stdout and stderr are the parent's: the child logs nothing, but a crash of Node itself should be seen.
    const child = fork(CHILD_MODULE, [], { stdio: ["ignore", "inherit", "inherit", "ipc"], serialization: "json" });
    let reply: CloneReply | undefined;
    child.once("message", (message: CloneReply) => (reply = message));
    child.once("error", reject);
    child.once("exit", (code, signal) => {
      if (reply?.ok) resolve();
      else if (reply) reject(toError(reply.error));
      else reject(new Error(`the clone process exited with ${signal ?? `code ${code}`} before it answered`));
    });
    child.send(request);
  });
}

function toError(failure: CloneFailure): Error {
  const error = new Error(failure.message) as Error & Omit<CloneFailure, "message" | "cause">;
  if (failure.code !== undefined) error.code = failure.code;
  if (failure.data !== undefined) error.data = failure.data;
  if (failure.cause !== undefined) error.cause = toError(failure.cause);
  return error;
}
