// Writes the status report to the status branch: a local full clone (never shallow) in `cacheDir`, one commit per
// changed report, pushed with retries. Poolkeeper owns `path` on the branch exclusively: each commit replaces that
// whole subtree with the files it is given and keeps every other path as found on the remote. Commits are built
// from Git objects directly (no working tree). When the remote is unreachable the commit stays in the local clone
// and is pushed by the next `write()`, also after a restart; when someone else pushed in between, the pending
// commits are rebuilt on their tip (re-applying our subtree over their tree) and the push is retried with
// exponential backoff and jitter. Credentials only go through `onAuth`; errors are scrubbed `SourceError`s.
// `url` may also be the path of a local repository (bare or with a working tree): the status branch is then
// committed there in place, with nothing to push (isomorphic-git has no file:// transport), and moved only from the
// commit it was built on (ref-update.ts), as a push is, since other replicas commit there too.
import fs from "node:fs";
import { join, resolve } from "node:path";
import git from "isomorphic-git";
import type { Clock } from "../api/index.ts";
import http from "isomorphic-git/http/node";
import { SourceError, displayRemote, type SourceCredentials } from "./source.ts";
import { networkCode, scrub, secretsOf, type ErrorLike } from "./git-errors.ts";
import { authCallbacks, fetchBranch, isGitDir, localGitDir, REMOTE } from "./git-remote.ts";
import { readStatusHistory, type HistoryEntry } from "./history.ts";
import { updateRef } from "./ref-update.ts";
import { consolidateInChildProcess } from "./git-process.ts";
import { defaultConsolidation } from "./pack-consolidation.ts";

export interface StatusWriterOptions {
  /** HTTP(S) remote of the status repository, or the path of a local repository. */
  url: string;
  branch: string;
  /** Directory owned by poolkeeper on the branch, e.g. `status/prod/` (no leading slash, no `..`). */
  path: string;
  /** Local clone (`.git` is created inside). */
  cacheDir: string;
  author: { name: string; email: string };
  credentials?: SourceCredentials;
  retries: { max: number; minBackoffMs: number; maxBackoffMs: number };
  /** Waits between push attempts; tests pass a fake. */
  sleep?: (ms: number) => Promise<void>;
  /** The commits' author and committer time: the world's clock in a simulation; the system clock by default. */
  clock?: Clock;
}

export interface StatusWriteInput {
  /** File contents keyed by path relative to `path`. */
  files: ReadonlyMap<string, string>;
  message: string;
  /**
   * Commit even when the files are unchanged: the message records events (its trailers are the status branch's
   * record of them), which would be lost with a commit left out.
   */
  keep?: boolean;
}

export interface StatusWriteResult {
  /** Tip of the local status branch after the write (undefined only when nothing was ever committed). */
  sha?: string;
  /** Whether the remote branch now holds `sha`. */
  pushed: boolean;
  /** True when the report did not change the tree: no commit was made by this write. */
  unchanged: boolean;
}

export interface StatusWriter {
  readonly remote: string;
  readonly branch: string;
  write(input: StatusWriteInput): Promise<StatusWriteResult>;
  /**
   * The status branch's commits, newest first: fetched first when the remote answers (the local copy, pending
   * commits included, otherwise); empty when the branch does not exist yet.
   */
  history(): Promise<HistoryEntry[]>;
}

const TREE_MODE = "040000";
const BLOB_MODE = "100644";

function codeOf(error: unknown): string {
  const code = (error as ErrorLike | null)?.code;
  return typeof code === "string" ? code : "";
}

function isUnreachable(error: unknown): boolean {
  if (error instanceof SourceError) return error.kind === "unreachable";
  if (networkCode(error) !== undefined) return true;
  if (codeOf(error) === "HttpError") {
    const status = (error as ErrorLike).data?.statusCode;
    return typeof status === "number" && (status >= 500 || status === 408 || status === 429);
  }
  return false;
}

function isRejected(error: unknown): boolean {
  const code = codeOf(error);
  return code === "PushRejectedError" || code === "GitPushError";
}

function toError(error: unknown, remote: string, secrets: readonly string[]): SourceError {
  if (error instanceof SourceError) return new SourceError(error.kind, scrub(error.message, secrets));
  const e = (typeof error === "object" && error !== null ? error : {}) as ErrorLike;
  const code = codeOf(error);
  const detail = typeof e.message === "string" ? e.message : String(error);
  const make = (kind: SourceError["kind"], sentence: string) => new SourceError(kind, scrub(sentence, secrets));
  const status = typeof e.data?.statusCode === "number" ? e.data.statusCode : 0;
  if (isUnreachable(error)) return make("unreachable", `Git remote ${remote} is unreachable: ${detail}`);
  if (code === "UserCanceledError" || (code === "HttpError" && (status === 401 || status === 403))) {
    return make("auth", `Git remote ${remote} rejected the credentials.`);
  }
  if (code === "HttpError" && status === 404) {
    return make("not-found", `Git remote ${remote} has no repository there (HTTP 404).`);
  }
  return make("other", `Status write to ${remote} failed: ${detail}`);
}

function splitPath(path: string, what: string): string[] {
  const segments = path.split("/").filter((s) => s !== "");
  if (path.startsWith("/") || segments.some((s) => s === "." || s === ".." || s === ".git")) {
    throw new SourceError("other", `Invalid status ${what}: ${JSON.stringify(path)}.`);
  }
  return segments;
}

interface DirNode {
  files: Map<string, string>;
  dirs: Map<string, DirNode>;
}

function defaultSleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

export function createStatusWriter(options: StatusWriterOptions): StatusWriter {
  const { url, branch, credentials, author } = options;
  const remote = displayRemote(url);
  const secrets = secretsOf(credentials);
  const sleep = options.sleep ?? defaultSleep;
  const commitTime = () => options.clock?.now() ?? new Date();
  const ownSegments = splitPath(options.path, "path");
  const local = !/^https?:\/\//i.test(url);
  const dir = resolve(local ? url : options.cacheDir);
  const gitdir = local ? (localGitDir(dir) ?? dir) : join(dir, ".git");
  const localRef = `refs/heads/${branch}`;
  const remoteRef = `refs/remotes/${REMOTE}/${branch}`;
  const auth = authCallbacks(credentials);
  const { onAuth, onAuthFailure } = auth;
  let queue: Promise<unknown> = Promise.resolve();

  const resolveRef = async (ref: string): Promise<string | undefined> => {
    try {
      return await git.resolveRef({ fs, gitdir, ref });
    } catch (error) {
      if ((error as { code?: unknown } | null)?.code === "NotFoundError") return undefined;
      throw error;
    }
  };

  async function ensureRepo(): Promise<void> {
    if (local) {
      if (!isGitDir(gitdir)) throw new SourceError("not-found", `${remote} is not a Git repository.`);
      return;
    }
    if (isGitDir(gitdir)) return;
    fs.rmSync(gitdir, { recursive: true, force: true });
    fs.mkdirSync(dir, { recursive: true });
    await git.init({ fs, dir, defaultBranch: branch });
    await git.addRemote({ fs, gitdir, remote: REMOTE, url, force: true });
  }

  /** Fetches the branch (full history); returns the remote tip, undefined when the remote has no such branch. */
  async function fetchRemote(): Promise<string | undefined> {
    await git.setConfig({ fs, gitdir, path: `remote.${REMOTE}.url`, value: url });
    // Ask for the refs first: fetching a branch the remote does not have (or an empty repository) is an error.
    const info = await git.getRemoteInfo2({ http, url, onAuth, onAuthFailure, protocolVersion: 1 });
    const advertised = (info.refs ?? []).find((r) => r.ref === localRef);
    if (!advertised) {
      await git.deleteRef({ fs, gitdir, ref: remoteRef }).catch(() => undefined);
      return undefined;
    }
    await fetchBranch(gitdir, url, branch, auth);
    await consolidateInChildProcess(dir, defaultConsolidation);
    return resolveRef(remoteRef);
  }

  async function treeOf(commit: string | undefined): Promise<string | undefined> {
    if (!commit) return undefined;
    return (await git.readCommit({ fs, gitdir, oid: commit })).commit.tree;
  }

  async function entriesOf(tree: string | undefined) {
    if (!tree) return [];
    return (await git.readTree({ fs, gitdir, oid: tree })).tree;
  }

  /** The subtree at `segments` in `tree` (undefined when absent). */
  async function subtreeAt(tree: string | undefined, segments: readonly string[]): Promise<string | undefined> {
    let current = tree;
    for (const name of segments) {
      const entry = (await entriesOf(current)).find((e) => e.path === name && e.type === "tree");
      if (!entry) return undefined;
      current = entry.oid;
    }
    return current;
  }

  /** `tree` with the subtree at `segments` replaced by `sub` (removed when undefined). */
  async function replaceAt(
    tree: string | undefined,
    segments: readonly string[],
    sub: string | undefined,
  ): Promise<string | undefined> {
    const [head, ...rest] = segments;
    if (head === undefined) return sub;
    const entries = await entriesOf(tree);
    const existing = entries.find((e) => e.path === head);
    const child = await replaceAt(existing?.type === "tree" ? existing.oid : undefined, rest, sub);
    const others = entries.filter((e) => e.path !== head);
    if (child !== undefined) others.push({ mode: TREE_MODE, path: head, oid: child, type: "tree" });
    if (others.length === 0) return undefined;
    return git.writeTree({ fs, gitdir, tree: others });
  }

  async function writeDir(node: DirNode): Promise<string | undefined> {
    const tree: { mode: string; path: string; oid: string; type: "blob" | "tree" }[] = [];
    for (const [name, text] of node.files) {
      const oid = await git.writeBlob({ fs, gitdir, blob: Buffer.from(text, "utf8") });
      tree.push({ mode: BLOB_MODE, path: name, oid, type: "blob" });
    }
    for (const [name, child] of node.dirs) {
      const oid = await writeDir(child);
      if (oid) tree.push({ mode: TREE_MODE, path: name, oid, type: "tree" });
    }
    if (tree.length === 0) return undefined;
    return git.writeTree({ fs, gitdir, tree });
  }

  async function buildSubtree(files: ReadonlyMap<string, string>): Promise<string | undefined> {
    const root: DirNode = { files: new Map(), dirs: new Map() };
    for (const [path, text] of files) {
      const segments = splitPath(path, "file path");
      const name = segments.pop();
      if (name === undefined) throw new SourceError("other", `Invalid status file path: ${JSON.stringify(path)}.`);
      let node = root;
      for (const segment of segments) {
        let next = node.dirs.get(segment);
        if (!next) {
          next = { files: new Map(), dirs: new Map() };
          node.dirs.set(segment, next);
        }
        node = next;
      }
      node.files.set(name, text);
    }
    return writeDir(root);
  }

  const emptyTree = () => git.writeTree({ fs, gitdir, tree: [] });

  async function makeCommit(tree: string | undefined, parent: string | undefined, message: string, who?: Sig) {
    const now = { ...author, timestamp: Math.floor(commitTime().getTime() / 1000), timezoneOffset: 0 };
    return git.writeCommit({
      fs,
      gitdir,
      commit: {
        tree: tree ?? (await emptyTree()),
        parent: parent ? [parent] : [],
        author: who ?? now,
        committer: now,
        message: message.endsWith("\n") ? message : `${message}\n`,
      },
    });
  }

  /**
   * Local commits not on the remote, oldest first, and whether the local branch must be rebuilt on the remote tip
   * (it does not descend from it).
   */
  async function pendingCommits(local: string, remoteTip: string | undefined) {
    if (!remoteTip) return { rebuild: false, pending: [] as string[] };
    if (local === remoteTip) return { rebuild: false, pending: [] };
    if (await git.isDescendent({ fs, gitdir, oid: local, ancestor: remoteTip, depth: -1 })) {
      return { rebuild: false, pending: [] };
    }
    const bases = await git.findMergeBase({ fs, gitdir, oids: [local, remoteTip] }).catch(() => [] as string[]);
    const base = bases[0];
    if (!base) return { rebuild: true, pending: [local] }; // unrelated histories: only our latest snapshot
    const pending: string[] = [];
    for (const entry of await git.log({ fs, gitdir, ref: local })) {
      if (entry.oid === base) break;
      pending.push(entry.oid);
    }
    return { rebuild: true, pending: pending.reverse() };
  }

  /** Rebuilds the pending local commits on top of `remoteTip`, re-applying our subtree over their tree. */
  async function rebaseOnto(remoteTip: string): Promise<string> {
    const local = await resolveRef(localRef);
    if (!local) {
      await git.writeRef({ fs, gitdir, ref: localRef, value: remoteTip, force: true });
      return remoteTip;
    }
    const { rebuild, pending } = await pendingCommits(local, remoteTip);
    if (!rebuild) return local;
    let tip = remoteTip;
    for (const oid of pending) {
      const { commit } = await git.readCommit({ fs, gitdir, oid });
      const ours = await subtreeAt(commit.tree, ownSegments);
      const baseTree = await treeOf(tip);
      const tree = await replaceAt(baseTree, ownSegments, ours);
      if ((tree ?? (await emptyTree())) === baseTree) continue; // already there (e.g. a duplicate)
      tip = await makeCommit(tree, tip, commit.message, commit.author);
    }
    await git.writeRef({ fs, gitdir, ref: localRef, value: tip, force: true });
    return tip;
  }

  async function push(): Promise<void> {
    const result = await git.push({
      fs,
      http,
      gitdir,
      url,
      remote: REMOTE,
      ref: branch,
      remoteRef: branch,
      onAuth,
      onAuthFailure,
    });
    if (!result.ok) throw Object.assign(new Error(result.error ?? "push failed"), { code: "GitPushError" });
    const local = await resolveRef(localRef);
    if (local) await git.writeRef({ fs, gitdir, ref: remoteRef, value: local, force: true });
  }

  function backoff(attempt: number): number {
    const { minBackoffMs, maxBackoffMs } = options.retries;
    const base = Math.min(maxBackoffMs, minBackoffMs * 2 ** attempt);
    return Math.round(base / 2 + (Math.random() * base) / 2);
  }

  /**
   * A local repository's branch is committed in place, where other replicas commit too: the ref moves only from the
   * commit this one was built on (ref-update.ts); when another writer moved it first, the commit is built again on
   * its tip, as a rejected push is rebuilt on the remote's.
   */
  async function writeInPlace(input: StatusWriteInput): Promise<StatusWriteResult> {
    for (let attempt = 0; ; attempt++) {
      const parent = await resolveRef(localRef);
      const baseTree = await treeOf(parent);
      const tree = (await replaceAt(baseTree, ownSegments, await buildSubtree(input.files))) ?? (await emptyTree());
      if (parent !== undefined && tree === baseTree && input.keep !== true) {
        return { sha: parent, pushed: true, unchanged: true };
      }
      const sha = await makeCommit(tree, parent, input.message);
      const outcome = await updateRef({
        gitdir,
        ref: localRef,
        value: sha,
        expected: parent,
        read: () => resolveRef(localRef),
      });
      if (outcome === "updated") return { sha, pushed: true, unchanged: false };
      if (attempt >= options.retries.max) {
        throw new SourceError(
          "other",
          `The status branch ${branch} in ${remote} was still ${outcome === "moved" ? "moved by another writer" : "locked"} after ${attempt} retries.`,
        );
      }
      await sleep(backoff(attempt));
    }
  }

  async function writeOnce(input: StatusWriteInput): Promise<StatusWriteResult> {
    await ensureRepo();
    if (local) return writeInPlace(input);
    let online = true;
    let remoteTip: string | undefined;
    try {
      remoteTip = await fetchRemote();
    } catch (error) {
      if (!isUnreachable(error)) throw error;
      online = false;
      remoteTip = await resolveRef(remoteRef);
    }
    let tip = online && remoteTip ? await rebaseOnto(remoteTip) : await resolveRef(localRef);

    const ours = await buildSubtree(input.files);
    const baseTree = await treeOf(tip);
    const tree = (await replaceAt(baseTree, ownSegments, ours)) ?? (await emptyTree());
    const unchanged = tip !== undefined && tree === baseTree && input.keep !== true;
    if (!unchanged) {
      tip = await makeCommit(tree, tip, input.message);
      await git.writeRef({ fs, gitdir, ref: localRef, value: tip, force: true });
    }
    if (!online) return { sha: tip, pushed: false, unchanged };
    if (tip === undefined || tip === remoteTip) return { sha: tip, pushed: true, unchanged };

    for (let attempt = 0; ; attempt++) {
      try {
        await push();
        return { sha: await resolveRef(localRef), pushed: true, unchanged };
      } catch (error) {
        if (isUnreachable(error)) return { sha: await resolveRef(localRef), pushed: false, unchanged };
        if (!isRejected(error)) throw error;
        if (attempt >= options.retries.max) {
          throw new SourceError(
            "other",
            `Push of the status branch ${branch} to ${remote} was still rejected after ${attempt} retries.`,
          );
        }
      }
      await sleep(backoff(attempt));
      try {
        remoteTip = await fetchRemote();
      } catch (error) {
        if (isUnreachable(error)) return { sha: await resolveRef(localRef), pushed: false, unchanged };
        throw error;
      }
      if (remoteTip) await rebaseOnto(remoteTip);
    }
  }

  async function historyOnce(): Promise<HistoryEntry[]> {
    await ensureRepo();
    if (!local) {
      try {
        const remoteTip = await fetchRemote();
        if (remoteTip) await rebaseOnto(remoteTip);
      } catch (error) {
        if (!isUnreachable(error)) throw error;
      }
    }
    if ((await resolveRef(localRef)) === undefined) return [];
    return readStatusHistory({ gitdir, ref: localRef });
  }

  // Writes and reads are serialized: they share the local clone.
  function serialized<T>(work: () => Promise<T>): Promise<T> {
    const run = queue.then(() =>
      work().catch((error: unknown) => {
        throw toError(error, remote, secrets);
      }),
    );
    queue = run.catch(() => undefined);
    return run;
  }

  return {
    remote,
    branch,
    write: (input) => serialized(() => writeOnce(input)),
    history: () => serialized(historyOnce),
  };
}

type Sig = { name: string; email: string; timestamp: number; timezoneOffset: number };
