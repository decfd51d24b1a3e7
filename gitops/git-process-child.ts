// The process git-process.ts starts: clones one branch with isomorphic-git (and reads the head's files), or merges a
// clone's packs (pack-consolidation.ts), answers and exits. What either allocates — a `pako.Inflate` and buffers per
// object, tens of thousands of them — goes back to the system with the process (see git-process.ts). It serves
// nothing meanwhile, so isomorphic-git reads through Node's synchronous calls here (git-fs.ts). It loads no more
// than it runs (isomorphic-git and the tree reader: not api/, whose schemas and validators took a second to load).
import { join } from "node:path";
import git from "isomorphic-git";
import http from "isomorphic-git/http/node";
import { authCallbacks, REMOTE } from "./git-remote.ts";
import type { CloneRequest, GitProcessFailure, GitProcessReply, GitProcessRequest } from "./git-process.ts";
import { synchronousGitFs } from "./git-fs.ts";
import { keepClonePack, mergePacks } from "./pack-consolidation.ts";
import { PackReader } from "./pack-reader.ts";
import { TreeReader } from "./tree-reader.ts";

process.once("message", (request: GitProcessRequest) => {
  void run(request).then(
    (reply) => process.send?.(reply, () => process.disconnect()),
    () => process.disconnect(),
  );
});

async function run(request: GitProcessRequest): Promise<GitProcessReply> {
  try {
    if (request.op === "clone") {
      await clone(request);
      keepClonePack(request.dir); // never merged again (pack-consolidation.ts)
      return { ok: true, blobs: await headBlobs(request) };
    }
    return { ok: true, superseded: await mergePacks(request.dir, request.options, synchronousGitFs) };
  } catch (error) {
    return { ok: false, error: failure(error) };
  }
}

async function clone({ url, dir, branch, depth, credentials }: CloneRequest): Promise<void> {
  const { onAuth, onAuthFailure } = authCallbacks(credentials);
  await git.clone({
    fs: synchronousGitFs,
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
}

/** The texts of the head's files, read as the controller's tree reader reads them (sized first, within its budget). */
async function headBlobs({ dir, branch, cacheBytes, maxFileBytes }: CloneRequest): Promise<[string, string][]> {
  if (cacheBytes === undefined) return [];
  const gitdir = join(dir, ".git");
  const head = await git.resolveRef({ fs: synchronousGitFs, gitdir, ref: `refs/heads/${branch}` });
  const reader = new TreeReader({ cacheBytes, maxFileBytes, fs: synchronousGitFs });
  // In one pass over the clone's pack (pack-reader.ts); what that leaves (none, in a clone) is read as before.
  const listed = await reader.list(gitdir, head, ["**"]);
  const decoder = new TextDecoder("utf-8");
  const packed = new PackReader(gitdir).read(
    listed.map((file) => file.oid),
    maxFileBytes,
  );
  reader.adoptBlobs([...packed].filter(([, o]) => o.type === "blob").map(([oid, o]) => [oid, decoder.decode(o.data)]));
  await reader.read(gitdir, head, ["**"]);
  return reader.heldBlobs();
}

/** What the parent's error classification reads (git-errors.ts): code, message, HTTP status, causes' codes. */
function failure(error: unknown, depth = 0): GitProcessFailure {
  const e = (typeof error === "object" && error !== null ? error : {}) as Record<string, unknown>;
  const out: GitProcessFailure = { message: typeof e.message === "string" ? e.message : String(error) };
  if (typeof e.code === "string") out.code = e.code;
  const data = e.data as Record<string, unknown> | undefined;
  if (typeof data?.statusCode === "number") {
    out.data = { statusCode: data.statusCode };
    if (typeof data.statusMessage === "string") out.data.statusMessage = data.statusMessage;
  }
  if (e.cause !== undefined && depth < 5) out.cause = failure(e.cause, depth + 1);
  return out;
}
