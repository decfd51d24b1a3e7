// The process clone-process.ts starts: clones one branch with isomorphic-git and exits. Receiving and indexing the
// initial pack (tens of thousands of objects inflated and hashed in JavaScript) churns through gigabytes of short-
// lived buffers; in the controller's own process that left its V8 young generation grown to its maximum and glibc's
// per-thread malloc arenas resident (about 170 MiB after a forced GC on the 1,000-pool benchmark repository, none of
// it live). A process of its own gives all of that back to the system when it exits.
import fs from "node:fs";
import git from "isomorphic-git";
import http from "isomorphic-git/http/node";
import { authCallbacks, REMOTE } from "./git-remote.ts";
import type { CloneFailure, CloneReply, CloneRequest } from "./clone-process.ts";

process.once("message", (request: CloneRequest) => {
  void clone(request).then(
    (reply) => process.send?.(reply, () => process.disconnect()),
    () => process.disconnect(),
  );
});

async function clone({ url, dir, branch, depth, credentials }: CloneRequest): Promise<CloneReply> {
  try {
    const { onAuth, onAuthFailure } = authCallbacks(credentials);
    await git.clone({
      fs,
      http,
      dir,
      url,
      ref: branch,
      remote: REMOTE,
      singleBranch: true,
      noCheckout: true,
      noTags: true,
      ...(depth === undefined ? {} : { depth }),
      onAuth,
      onAuthFailure,
    });
    return { ok: true };
  } catch (error) {
    return { ok: false, error: failure(error) };
  }
}

/** What the parent's error classification reads (git-errors.ts): code, message, HTTP status, causes' codes. */
function failure(error: unknown, depth = 0): CloneFailure {
  const e = (typeof error === "object" && error !== null ? error : {}) as Record<string, unknown>;
  const out: CloneFailure = { message: typeof e.message === "string" ? e.message : String(error) };
  if (typeof e.code === "string") out.code = e.code;
  const data = e.data as Record<string, unknown> | undefined;
  if (typeof data?.statusCode === "number") {
    out.data = { statusCode: data.statusCode };
    if (typeof data.statusMessage === "string") out.data.statusMessage = data.statusMessage;
  }
  if (e.cause !== undefined && depth < 5) out.cause = failure(e.cause, depth + 1);
  return out;
}
