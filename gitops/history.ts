// `poolkeeper history`: the timeline read back from the status branch's commits and their trailers.
// The pure part parses, filters and renders; `readStatusHistory` walks a branch of a local repository and
// `fetchStatusHistory` gets the branch first: from an HTTP(S) remote (full history, into a cache directory or a
// temporary one), or in place from a local repository. Credentials only go through `onAuth`; every failure is a
// `SourceError` whose message is scrubbed of them.
import fs from "node:fs";
import { tmpdir } from "node:os";
import { isAbsolute, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import git from "isomorphic-git";
import http from "isomorphic-git/http/node";
import { remoteFailure, scrub, secretsOf, type ErrorLike } from "./git-errors.ts";
import { authCallbacks, localGitDir, REMOTE } from "./git-remote.ts";
import { displayRemote, openSource, SourceError, type SourceCredentials } from "./source.ts";
import { isoSeconds, parseTrailers, type TrailerEvent } from "./status-render.ts";

export interface StatusCommitInput {
  sha: string;
  time: Date;
  subject: string;
  body: string;
}

export interface HistoryEntry {
  sha: string;
  time: Date;
  cluster?: string;
  source?: string;
  /** The head rejected at that commit (`Poolkeeper-Rejected`), while `source` stayed in force. */
  rejected?: string;
  events: TrailerEvent[];
}

export interface TimelineFilter {
  /** Only commits of this cluster (their `Poolkeeper-Cluster` trailer). */
  cluster?: string;
  /** Only events of this pool. */
  pool?: string;
  /** Only events of this kind (`provisioned`, `rejected`, …). */
  event?: string;
  /** Only commits at or after this time. */
  since?: Date;
}

export type TimelineFormat = "text" | "json";

/** One status commit's trailers; a commit without them has no cluster, source or events. */
export function parseStatusCommit(commit: StatusCommitInput): HistoryEntry {
  const message = commit.body.trim() === "" ? commit.subject : `${commit.subject}\n\n${commit.body}`;
  const trailers = parseTrailers(message);
  const entry: HistoryEntry = { sha: commit.sha, time: commit.time, events: trailers.events };
  if (trailers.cluster !== undefined) entry.cluster = trailers.cluster;
  if (trailers.source !== undefined) entry.source = trailers.source;
  if (trailers.rejected !== undefined) entry.rejected = trailers.rejected;
  return entry;
}

/**
 * The entries that pass the filter. With `pool` or `event`, each entry keeps only the matching events and entries
 * left without any are dropped; `since` keeps commits at or after that time; `cluster` keeps the commits of that
 * cluster (a commit without the trailer belongs to none).
 */
export function filterTimeline(entries: readonly HistoryEntry[], filter: TimelineFilter): HistoryEntry[] {
  const byEvent = filter.pool !== undefined || filter.event !== undefined;
  const result: HistoryEntry[] = [];
  for (const entry of entries) {
    if (filter.since !== undefined && entry.time.getTime() < filter.since.getTime()) continue;
    if (filter.cluster !== undefined && entry.cluster !== filter.cluster) continue;
    const events = entry.events.filter(
      (e) =>
        (filter.pool === undefined || e.pool === filter.pool) &&
        (filter.event === undefined || e.kind === filter.event),
    );
    if (byEvent && events.length === 0) continue;
    result.push({ ...entry, events });
  }
  return result;
}

/**
 * The timeline, newest commit first (ties keep their order), events of a commit in trailer order.
 * text: one line per event, `<time>  <sha7>  <kind>  pool=<p> node=<n>  <reason>` (empty fields omitted);
 * json: an array of one object per event with keys in a fixed order, pretty-printed.
 */
export function renderTimeline(entries: readonly HistoryEntry[], format: TimelineFormat): string {
  const sorted = entries
    .map((entry, index) => ({ entry, index }))
    .sort((a, b) => b.entry.time.getTime() - a.entry.time.getTime() || a.index - b.index)
    .map(({ entry }) => entry);
  if (format === "json") {
    const rows = sorted.flatMap((entry) =>
      entry.events.map((e) => ({
        time: isoSeconds(entry.time),
        sha: entry.sha,
        cluster: entry.cluster ?? null,
        source: entry.source ?? null,
        kind: e.kind,
        pool: e.pool ?? null,
        node: e.node ?? null,
        reason: e.reason,
      })),
    );
    return `${JSON.stringify(rows, null, 2)}\n`;
  }
  const lines = sorted.flatMap((entry) =>
    entry.events.map((e) => {
      const where = [e.pool === undefined ? "" : `pool=${e.pool}`, e.node === undefined ? "" : `node=${e.node}`]
        .filter((p) => p !== "")
        .join(" ");
      const fields = [isoSeconds(entry.time), entry.sha.slice(0, 7), e.kind, where, e.reason].filter((f) => f !== "");
      return fields.join("  ");
    }),
  );
  return lines.length === 0 ? "" : `${lines.join("\n")}\n`;
}

/**
 * Where `readStatusHistory` reads: a git directory (a bare repository or a `.git`), or a repository's path (bare or
 * with a working tree); `ref` is a branch name, a full ref or a commit.
 */
export type StatusHistoryRepository = { gitdir: string; ref: string } | { dir: string; ref: string };

/** Every commit reachable from `ref`, parsed, in `git log` order (newest first). Rejects when `ref` is unknown. */
export async function readStatusHistory(options: StatusHistoryRepository): Promise<HistoryEntry[]> {
  let gitdir: string;
  if ("gitdir" in options) gitdir = options.gitdir;
  else {
    const found = localGitDir(options.dir);
    if (found === undefined) throw new SourceError("not-found", `${options.dir} is not a Git repository.`);
    gitdir = found;
  }
  const commits = await git.log({ fs, gitdir, ref: options.ref });
  return commits.map((c) => {
    const { subject, body } = splitMessage(c.commit.message);
    return parseStatusCommit({
      sha: c.oid,
      time: new Date(c.commit.committer.timestamp * 1000),
      subject,
      body,
    });
  });
}

function splitMessage(message: string): { subject: string; body: string } {
  const text = message.replace(/\r\n?/g, "\n");
  const newline = text.indexOf("\n");
  if (newline < 0) return { subject: text.trim(), body: "" };
  return { subject: text.slice(0, newline).trim(), body: text.slice(newline + 1).replace(/^\n+/, "") };
}

export interface FetchStatusHistoryOptions {
  /** HTTP(S) remote (or `file://` URL), or the path of a local repository (bare or with a working tree). */
  url: string;
  /** The status branch. */
  branch: string;
  /**
   * Where an HTTP(S) remote's branch is cloned and kept between calls (fetched incrementally); a directory of its
   * own, as another branch's clone there is replaced. Without it, a temporary clone removed afterwards.
   */
  cacheDir?: string;
  credentials?: SourceCredentials;
}

/**
 * The status branch's history, newest first. A local repository is read in place: its branch, or else the
 * remote-tracking `origin/<branch>` a clone of the GitOps repository has. Throws a `SourceError` (kind "not-found"
 * for a missing branch or repository).
 */
export async function fetchStatusHistory(options: FetchStatusHistoryOptions): Promise<HistoryEntry[]> {
  const { url, branch, credentials } = options;
  const secrets = secretsOf(credentials);
  if (/^file:\/\//i.test(url)) return readLocal(fileURLToPath(url), branch);
  if (!/^https?:\/\//i.test(url)) {
    // ssh://, git:// and scp-like `git@host:repo`: isomorphic-git only speaks HTTP(S).
    if (/^[a-z][a-z0-9+.-]*:\/\//i.test(url) || /^[^/\\]+@[^/\\]+:/.test(url)) {
      throw new SourceError(
        "other",
        scrub(`${displayRemote(url)}: only HTTP(S) remotes and local repository paths are supported.`, secrets),
      );
    }
    return readLocal(url, branch);
  }

  const remote = displayRemote(url);
  const fail = (error: unknown): SourceError => {
    if (error instanceof SourceError) return new SourceError(error.kind, scrub(error.message, secrets));
    const failure = remoteFailure(error, remote);
    if (failure) return new SourceError(failure.kind, scrub(failure.sentence, secrets));
    const detail = (error as ErrorLike | null)?.message;
    const text = typeof detail === "string" ? detail : String(error);
    return new SourceError("other", scrub(`Reading status branch ${branch} from ${remote} failed: ${text}`, secrets));
  };

  const auth = authCallbacks(credentials);
  try {
    // Asked first so a missing branch is told apart from a missing repository (both fail the clone alike).
    const refs = (await git.getRemoteInfo2({ http, url, ...auth, protocolVersion: 1 })).refs ?? [];
    if (!refs.some((r) => r.ref === `refs/heads/${branch}`)) throw missingBranch(branch, remote);
    // isomorphic-git's fetch resolves the remote's HEAD even for one branch, and fails when HEAD names a missing
    // branch (a repository holding only the status branch): say so instead of a puzzling "Could not find HEAD".
    if (!refs.some((r) => r.ref === "HEAD")) {
      throw new SourceError(
        "other",
        `Git remote ${remote} has no default branch (its HEAD names a branch that does not exist), which ` +
          `poolkeeper cannot fetch from; point HEAD at an existing branch, e.g. ${branch}.`,
      );
    }
  } catch (error) {
    throw fail(error);
  }

  const cacheDir = options.cacheDir ?? fs.mkdtempSync(join(tmpdir(), "poolkeeper-history-"));
  try {
    const source = openSource({ url, branch, cacheDir, credentials });
    const { sha } = await source.fetch();
    return await readStatusHistory({ gitdir: join(resolve(cacheDir), ".git"), ref: sha });
  } catch (error) {
    throw fail(error);
  } finally {
    if (options.cacheDir === undefined) fs.rmSync(cacheDir, { recursive: true, force: true });
  }
}

function missingBranch(branch: string, where: string): SourceError {
  return new SourceError("not-found", `Status branch ${branch} was not found in ${where}.`);
}

async function readLocal(path: string, branch: string): Promise<HistoryEntry[]> {
  const absolute = isAbsolute(path) ? path : resolve(path);
  let gitdir = localGitDir(absolute);
  if (gitdir === undefined) {
    // A directory inside a working tree, like git itself accepts.
    const root = await git.findRoot({ fs, filepath: absolute }).catch(() => undefined);
    if (root !== undefined) gitdir = localGitDir(root);
  }
  if (gitdir === undefined) throw new SourceError("not-found", `${absolute} is not a Git repository.`);
  const dir = gitdir;
  const candidates = [`refs/heads/${branch}`, `refs/remotes/${REMOTE}/${branch}`];
  for (const ref of candidates) {
    const sha = await git.resolveRef({ fs, gitdir: dir, ref }).catch(() => undefined);
    if (sha === undefined) continue;
    try {
      return await readStatusHistory({ gitdir: dir, ref: sha });
    } catch (error) {
      const detail = (error as ErrorLike | null)?.message;
      const text = typeof detail === "string" ? detail : String(error);
      throw new SourceError("other", `Reading status branch ${branch} in ${absolute} failed: ${text}`);
    }
  }
  throw missingBranch(branch, absolute);
}
