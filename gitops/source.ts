// The Git source of the GitOps controller: clones the desired-state branch into a local cache (the newest
// CLONE_DEPTH commits: see there), fetches it incrementally, classifies each new head against the previous one (initial,
// unchanged, fast-forward, rewritten by a force-push) and reads the files of a commit that match globs.
// Built on isomorphic-git. Credentials are only handed over through `onAuth` and the Authorization header
// (git-remote.ts `authHeaders`): they never appear in URLs, logs or error messages, and every error is turned into
// a `SourceError` whose message is scrubbed.
//
// `url` is an HTTP(S) remote or a local repository path (bare or with a working tree). isomorphic-git has
// no file:// transport, so a local repository is read in place: `cacheDir` is not used and `fetch` just
// resolves the branch there.
import fs from "node:fs";
import { isAbsolute, join, resolve } from "node:path";
import git from "isomorphic-git";
import { defaultYamlLimits } from "../api/index.ts";
import { gitFs } from "./git-fs.ts";
import { cloneInChildProcess, mergeInChildProcess } from "./git-process.ts";
import { verifyCommitAt, type AllowedSigner, type SignatureVerdict } from "./commit-signature.ts";
import { remoteFailure, scrub, secretsOf, type ErrorLike } from "./git-errors.ts";
import {
  defaultConsolidation,
  packsToConsolidate,
  removeSupersededPacks,
  type ConsolidationOptions,
} from "./pack-consolidation.ts";
import { TreeReader } from "./tree-reader.ts";
import {
  authCallbacks,
  authHeaders,
  fetchBranch,
  isGitDir,
  localGitDir,
  remoteBranchHead,
  REMOTE,
} from "./git-remote.ts";
import { RefAdvertisement } from "./ref-advertisement.ts";

/**
 * Commits the initial clone fetches: CONFIG_SEARCH_DEPTH (runtime-config.ts), the first parents searched for a
 * broken head's config, and no more. The gate needs the previous head to tell a fast-forward from a force-push, and
 * every fetch after the clone brings the commits between the two (isomorphic-git's isDescendent stops at the shallow
 * boundary, so a head that does not descend is still found not to); the last good commits the status branch names
 * for a restore are fetched in full by `ensureCommits` when one is older than the clone. Indexing a whole history's
 * pack in JavaScript took 6.4 times the git CLI's clone on the benchmark's 5,000 commits; each commit there brings a
 * 24 KiB listing of its 1,000 pools, so the clone's pack, which isomorphic-git reads whole, grows with the depth.
 */
export const CLONE_DEPTH = 100;

export type SourceCredentials = { username: string; password: string } | { token: string };

export interface SourceOptions {
  /** HTTP(S) remote, or the path of a local repository. */
  url: string;
  branch: string;
  /** Where the remote is cloned (a non-bare clone without checkout; `.git` is created inside). */
  cacheDir: string;
  credentials?: SourceCredentials;
  /** When small packs from fetches are merged (see pack-consolidation.ts). */
  consolidation?: ConsolidationOptions;
  /**
   * Writes the due packs into one and returns the names it supersedes: in a child process by default
   * (git-process.ts). Runs after a fetch, off the sync path; what it supersedes is removed at the next fetch.
   */
  mergePacks?: (dir: string, options: ConsolidationOptions) => Promise<string[]>;
  /** The budget of the caches the source reads through, in bytes (cache-size.ts). */
  cacheBytes?: number;
  /** Commits the initial clone fetches (CLONE_DEPTH by default). */
  cloneDepth?: number;
}

export type FetchKind = "initial" | "unchanged" | "fast-forward" | "rewritten";

export interface FetchResult {
  /** Head of the branch after the fetch. */
  sha: string;
  /** Head before the fetch; undefined on the initial one. */
  previousSha?: string;
  kind: FetchKind;
}

export interface SourceFile {
  path: string;
  /** Empty when the file is too large to read. */
  text: string;
  /** The file's size in bytes when it is over the size limit of every manifest: it was not read. */
  tooLarge?: number;
}

export type SourceErrorKind = "unreachable" | "auth" | "not-found" | "other";

/** A Git failure, with a one-sentence message naming the remote (credentials scrubbed). */
export class SourceError extends Error {
  readonly kind: SourceErrorKind;
  constructor(kind: SourceErrorKind, message: string) {
    super(message);
    this.name = "SourceError";
    this.kind = kind;
  }
}

export interface GitSource {
  /** The remote as displayed in messages: without any userinfo. */
  readonly remote: string;
  readonly branch: string;
  fetch(): Promise<FetchResult>;
  /** Files at `sha` whose repository-relative path matches one of `globs`, sorted by path. */
  readTree(sha: string, globs: readonly string[]): Promise<SourceFile[]>;
  /** Whether `sha` descends from (or is) `ancestor`; false when `ancestor` is not in the local copy. */
  descends(sha: string, ancestor: string): Promise<boolean>;
  /** `sha` and its first-parent ancestors, newest first, at most `depth` commits. */
  firstParents(sha: string, depth: number): Promise<string[]>;
  /** Whether the commit carries an SSH signature by one of `signers` (never throws: a problem is a refusal). */
  verifySignature(sha: string, signers: readonly AllowedSigner[]): Promise<SignatureVerdict>;
  /**
   * Makes sure the local copy holds these commits and the history from the head down to them: when a shallow clone
   * lacks one or it is not an ancestor of the head there, the whole history is fetched. Never throws: a commit still
   * missing fails where it is read.
   */
  ensureCommits?(shas: readonly string[]): Promise<void>;
  /** What the source's caches hold, in bytes, by cache (the cache metric; benchmarks). */
  cacheSizes?(): Promise<Record<string, number>>;
  /** Sets the budget of the source's caches in bytes (cache-size.ts): read from poolkeeper.yaml after the start. */
  setCacheBytes?(bytes: number): void;
  /**
   * Waits for the Git work `maintain` left running in the background (the merging of packs) and removes the packs it
   * superseded; resolves with how many, rejects with the merge's error (a failed merge is otherwise retried at the
   * next fetch, and never fails a sync).
   */
  settled?(): Promise<number>;
  /**
   * Starts the Git upkeep fetches made due (the merging of packs) in the background, when none runs. The syncer
   * calls it once a sync is done, so that the merge's process does not compete with the sync for the CPU.
   */
  maintain?(): void;
}

function isHttpUrl(url: string): boolean {
  return /^https?:\/\//i.test(url);
}

/** The URL without userinfo (`https://user:pw@host/x` → `https://host/x`). */
export function displayRemote(url: string): string {
  return url.replace(/^([a-z][a-z0-9+.-]*:\/\/)[^/@]*@/i, "$1");
}

function toSourceError(error: unknown, remote: string, branch: string, secrets: readonly string[]): SourceError {
  if (error instanceof SourceError) return error;
  const make = (kind: SourceErrorKind, sentence: string) => new SourceError(kind, scrub(sentence, secrets));
  const failure = remoteFailure(error, remote);
  if (failure) return make(failure.kind, failure.sentence);
  const e = (typeof error === "object" && error !== null ? error : {}) as ErrorLike;
  const detail = typeof e.message === "string" ? e.message : String(error);
  if (e.code === "NotFoundError" || e.code === "ResolveRefError") {
    return make("not-found", `Branch ${branch} was not found on Git remote ${remote}: ${detail}`);
  }
  return make("other", `Git operation on ${remote} failed: ${detail}`);
}

async function resolveBranch(gitdir: string, ref: string): Promise<string | undefined> {
  try {
    return await git.resolveRef({ fs: gitFs, gitdir, ref });
  } catch (error) {
    if ((error as ErrorLike | null)?.code === "NotFoundError") return undefined;
    throw error;
  }
}

async function classify(
  gitdir: string,
  previous: string | undefined,
  sha: string,
  cache?: object,
): Promise<FetchResult> {
  if (previous === undefined) return { sha, kind: "initial" };
  if (previous === sha) return { sha, previousSha: previous, kind: "unchanged" };
  let descends: boolean;
  try {
    descends = await git.isDescendent({
      fs: gitFs,
      gitdir,
      oid: sha,
      ancestor: previous,
      depth: -1,
      ...(cache ? { cache } : {}),
    });
  } catch (error) {
    if ((error as ErrorLike | null)?.code !== "NotFoundError") throw error;
    descends = false; // the old commit is no longer reachable: treat as rewritten
  }
  return { sha, previousSha: previous, kind: descends ? "fast-forward" : "rewritten" };
}

export function openSource(options: SourceOptions): GitSource {
  const { url, branch, credentials } = options;
  const remote = displayRemote(url);
  const secrets = secretsOf(credentials);
  const localRef = `refs/heads/${branch}`;
  const fail = (error: unknown) => toSourceError(error, remote, branch, secrets);

  const auth = authCallbacks(credentials);
  const headers = authHeaders(credentials);
  const reader = new TreeReader({
    maxFileBytes: defaultYamlLimits.maxBytes,
    ...(options.cacheBytes === undefined ? {} : { cacheBytes: options.cacheBytes }),
  });

  if (!isHttpUrl(url)) {
    // Local repository, read in place.
    const path = isAbsolute(url) ? url : resolve(url);
    let previous: string | undefined;
    const gitdir = (): string => {
      const dir = localGitDir(path);
      if (!dir) throw new SourceError("not-found", `${remote} is not a Git repository.`);
      return dir;
    };
    return {
      remote,
      branch,
      async fetch() {
        try {
          const dir = gitdir();
          const sha = await resolveBranch(dir, localRef);
          if (!sha) throw new SourceError("not-found", `Branch ${branch} was not found in Git repository ${remote}.`);
          const result = await classify(dir, previous, sha);
          previous = sha;
          return result;
        } catch (error) {
          throw fail(error);
        }
      },
      ...commitReaders(reader, gitdir, fail),
    };
  }

  const dir = resolve(options.cacheDir);
  const gitdir = join(dir, ".git");
  const remoteRef = `refs/remotes/${REMOTE}/${branch}`;
  let remoteChecked = false;
  const consolidation = options.consolidation ?? defaultConsolidation;
  const mergePacks = options.mergePacks ?? mergeInChildProcess;
  /** The merge `maintain` started, while it runs; its failure, until `settled` reports it. */
  let merging: Promise<void> | undefined;
  let mergeFailure: { error: unknown } | undefined;
  /** Whether a merge finished since the last removal (at the start too: a process may have stopped before one). */
  let mergeFinished = true;
  /** Removes what finished merges superseded, and forgets those packs' indexes. Never while a merge runs. */
  const removeSuperseded = (): number => {
    if (!mergeFinished) return 0;
    mergeFinished = false;
    const removed = removeSupersededPacks(dir);
    if (removed.length > 0) reader.packsRemoved(removed.map((name) => `${gitdir}/objects/pack/${name}.idx`));
    return removed.length;
  };
  /** Starts merging packs in the background when some are due and no merge runs. */
  const startMerge = (): void => {
    if (merging !== undefined || packsToConsolidate(dir, consolidation) === undefined) return;
    merging = mergePacks(dir, consolidation).then(
      () => void (mergeFinished = true),
      (error: unknown) => void (mergeFailure = { error }),
    );
    void merging.finally(() => (merging = undefined));
  };

  return {
    remote,
    branch,
    async fetch() {
      try {
        const previous = isGitDir(gitdir) ? await resolveBranch(gitdir, localRef) : undefined;
        if (previous === undefined) {
          // First fetch (or a broken cache): full clone of the single branch, without checkout.
          const hadGitDir = fs.existsSync(gitdir);
          if (hadGitDir) fs.rmSync(gitdir, { recursive: true, force: true });
          fs.mkdirSync(dir, { recursive: true });
          try {
            // In a process of its own: what indexing the pack allocates goes back to the system (git-process.ts).
            const depth = options.cloneDepth ?? CLONE_DEPTH;
            // It reads the head's files too, which the first sync reads next (git-process.ts).
            const cacheBytes = reader.cacheBytes;
            const blobs = await cloneInChildProcess({
              url,
              dir,
              branch,
              depth,
              cacheBytes,
              maxFileBytes: defaultYamlLimits.maxBytes,
              ...(credentials ? { credentials } : {}),
            });
            reader.adoptBlobs(blobs);
          } catch (error) {
            fs.rmSync(gitdir, { recursive: true, force: true });
            throw error;
          }
          const sha = await resolveBranch(gitdir, localRef);
          if (!sha) throw new SourceError("not-found", `Branch ${branch} was not found on Git remote ${remote}.`);
          return { sha, kind: "initial" };
        }
        // Keep the configured remote in line with the options (the URL may have changed between runs): checked once
        // per source, not rewritten at every fetch.
        if (!remoteChecked) {
          await git.setConfig({ fs: gitFs, gitdir, path: `remote.${REMOTE}.url`, value: url });
          remoteChecked = true;
        }
        // Before the fetch reads the packs: nothing else reads them while a sync runs.
        if (merging === undefined) removeSuperseded();
        // The remote's head first: a poll that finds it where it was ends with that one request
        // (ref-advertisement.ts); one that finds it moved hands the answer to the fetch.
        const advertisement = new RefAdvertisement();
        const head = await remoteBranchHead(url, branch, auth, { http: advertisement.recording, headers });
        if (head !== undefined && head === previous) return { sha: head, previousSha: previous, kind: "unchanged" };
        const fetched = await fetchBranch(gitdir, url, branch, auth, {
          cache: reader.gitCache,
          http: advertisement.replaying,
          headers,
        });
        const sha = fetched.fetchHead ?? (await resolveBranch(gitdir, remoteRef));
        if (!sha) throw new SourceError("not-found", `Branch ${branch} was not found on Git remote ${remote}.`);
        const result = await classify(gitdir, previous, sha, reader.gitCache);
        if (result.kind !== "unchanged") {
          await git.writeRef({ fs: gitFs, gitdir, ref: localRef, value: sha, force: true });
          await git.writeRef({ fs: gitFs, gitdir, ref: remoteRef, value: sha, force: true });
        }
        return result;
      } catch (error) {
        throw fail(error);
      }
    },
    // Not in the fetch: a merge took seconds, once in 32 syncs, and its process's start slowed the sync that made it
    // due (docs/performance.md).
    maintain: startMerge,
    async settled() {
      await merging;
      const failure = mergeFailure;
      mergeFailure = undefined;
      if (failure) throw failure.error;
      return removeSuperseded();
    },
    async ensureCommits(shas) {
      if (!fs.existsSync(join(gitdir, "shallow"))) return;
      // Present is not enough: a commit fetched as the parent of a force-pushed head may sit beyond the boundary,
      // where the gate could not see that the head descends from it.
      const head = await resolveBranch(gitdir, localRef).catch(() => undefined);
      let complete = head !== undefined;
      for (const sha of shas) {
        if (!complete) break;
        complete = (await hasCommit(reader, gitdir, sha)) && (await descendsAt(reader, () => gitdir, head ?? "", sha));
      }
      if (complete) return;
      try {
        await fetchBranch(gitdir, url, branch, auth, { unshallow: true, cache: reader.gitCache, headers });
        reader.packsRemoved(); // the packs are read again, with the new one among them
      } catch {
        // Reported where the commit is read.
      }
    },
    ...commitReaders(reader, () => gitdir, fail),
  };
}

async function hasCommit(reader: TreeReader, gitdir: string, sha: string): Promise<boolean> {
  try {
    await git.readCommit({ fs: gitFs, gitdir, oid: sha, cache: reader.gitCache });
    return true;
  } catch {
    return false;
  }
}

/** What a source reads from commits already in its git directory (in place, or the clone). */
function commitReaders(
  reader: TreeReader,
  gitdir: () => string,
  fail: (error: unknown) => SourceError,
): Pick<GitSource, "readTree" | "descends" | "firstParents" | "verifySignature" | "cacheSizes" | "setCacheBytes"> {
  return {
    cacheSizes: async () => ({ ...(await reader.cacheSizes()) }),
    setCacheBytes: (bytes) => (reader.cacheBytes = bytes),
    readTree: (sha, globs) => readTreeAt(reader, gitdir, sha, globs, fail),
    descends: (sha, ancestor) => descendsAt(reader, gitdir, sha, ancestor),
    firstParents: (sha, depth) => firstParentsAt(reader, gitdir, sha, depth, fail),
    verifySignature: async (sha, signers) => verifyCommitAt(gitdir(), sha, signers),
  };
}

async function descendsAt(reader: TreeReader, gitdir: () => string, sha: string, ancestor: string): Promise<boolean> {
  if (sha === ancestor) return true;
  try {
    return await git.isDescendent({
      fs: gitFs,
      gitdir: gitdir(),
      oid: sha,
      ancestor,
      depth: -1,
      cache: reader.gitCache,
    });
  } catch (error) {
    if ((error as ErrorLike | null)?.code !== "NotFoundError") throw error;
    return false; // the ancestor is not in the local copy (a force-push removed it before we ever fetched it)
  }
}

async function firstParentsAt(
  reader: TreeReader,
  gitdir: () => string,
  sha: string,
  depth: number,
  fail: (error: unknown) => SourceError,
): Promise<string[]> {
  try {
    const dir = gitdir();
    const shas: string[] = [];
    let current: string | undefined = sha;
    while (current !== undefined && shas.length < depth) {
      shas.push(current);
      current = (await git.readCommit({ fs: gitFs, gitdir: dir, oid: current, cache: reader.gitCache })).commit
        .parent[0];
    }
    return shas;
  } catch (error) {
    throw commitError(error, sha, fail);
  }
}

/** A missing commit says so; anything else is the remote's error. */
function commitError(error: unknown, sha: string, fail: (error: unknown) => SourceError): SourceError {
  if (error instanceof SourceError) return error;
  const code = (error as { code?: unknown } | null)?.code;
  if (code === "NotFoundError" || code === "ObjectTypeError") {
    return new SourceError("not-found", `Commit ${sha} is not in the local copy of the Git repository.`);
  }
  return fail(error);
}

async function readTreeAt(
  reader: TreeReader,
  gitdir: () => string,
  sha: string,
  globs: readonly string[],
  fail: (error: unknown) => SourceError,
): Promise<SourceFile[]> {
  try {
    return await reader.read(gitdir(), sha, globs);
  } catch (error) {
    throw commitError(error, sha, fail);
  }
}
