// What the Git source and the status writer both do with a repository: answer its authentication challenge from
// the configured credentials (never from the URL), fetch one branch with its full history, find a local git dir.
import fs from "node:fs";
import { join } from "node:path";
import git, { type FetchResult, type HttpClient } from "isomorphic-git";
import http from "isomorphic-git/http/node";
import { basicLogin } from "./basic-auth.ts";
import { gitFs } from "./git-fs.ts";
import type { SourceCredentials } from "./source.ts";

/** The remote name both keep in their clone's config. */
export const REMOTE = "origin";

export interface AuthCallbacks {
  onAuth: (() => { username: string; password: string; headers: { Authorization: string } }) | undefined;
  onAuthFailure: () => { cancel: true };
}

/**
 * The Authorization header sent with the first request to the remote (none without credentials): otherwise each
 * fetch is first refused (401), asks `onAuth` and sends its discovery again, three requests where two do. The header
 * is basic-auth.ts's, the same string the messages are scrubbed of.
 */
export function authHeaders(credentials: SourceCredentials | undefined): Record<string, string> {
  return credentials ? { Authorization: basicLogin(credentials).authorization } : {};
}

/**
 * The commit `branch` points to on the remote, from its ref advertisement (the one request of `git ls-remote`);
 * undefined when the remote has no such branch. `http` lets a RefAdvertisement keep the answer for the fetch.
 */
export async function remoteBranchHead(
  url: string,
  branch: string,
  auth: AuthCallbacks,
  options: { http?: HttpClient; headers?: Record<string, string> } = {},
): Promise<string | undefined> {
  const info = await git.getRemoteInfo2({
    http: options.http ?? http,
    url,
    // Version 1: the advertisement isomorphic-git's fetch reads too (its fetch speaks no other).
    protocolVersion: 1,
    headers: { ...options.headers },
    ...auth,
  });
  return info.refs?.find((ref) => ref.ref === `refs/heads/${branch}`)?.oid;
}

export function authCallbacks(credentials: SourceCredentials | undefined): AuthCallbacks {
  return {
    // The header is ours (basic-auth.ts), so what is sent is exactly what is scrubbed from messages.
    onAuth: credentials
      ? () => {
          const { username, password, authorization } = basicLogin(credentials);
          return { username, password, headers: { Authorization: authorization } };
        }
      : undefined,
    // Without this, isomorphic-git would throw a plain 401 HttpError; cancelling makes the failure explicit.
    onAuthFailure: () => ({ cancel: true as const }),
  };
}

/**
 * Fetches `branch` (no tags) into `gitdir`: the status writer's clone has every commit (shallow clones break
 * isomorphic-git's pushes); the source's may be shallow (source.ts), and `unshallow` fetches the rest of its history
 * (git's `--unshallow` asks upload-pack for `deepen 2147483647`, its INFINITE_DEPTH). `cache` is isomorphic-git's
 * cache of the clone's reader (tree-reader.ts), shared so that a fetch does not parse the pack indexes again; `http`
 * a client other than isomorphic-git's (ref-advertisement.ts); `headers` sent with every request (`authHeaders`).
 */
export function fetchBranch(
  gitdir: string,
  url: string,
  branch: string,
  auth: AuthCallbacks,
  options: { unshallow?: boolean; cache?: object; http?: HttpClient; headers?: Record<string, string> } = {},
): Promise<FetchResult> {
  return git.fetch({
    fs: gitFs,
    http: options.http ?? http,
    ...(options.headers ? { headers: { ...options.headers } } : {}),
    gitdir,
    url,
    remote: REMOTE,
    ref: branch,
    remoteRef: branch,
    singleBranch: true,
    tags: false,
    ...(options.unshallow ? { depth: 2147483647 } : {}),
    // The reader's parsed pack indexes: without them the "have" check and the new pack's external deltas parse
    // every pack index of the clone again on each fetch.
    ...(options.cache ? { cache: options.cache } : {}),
    ...auth,
  });
}

/** Whether `dir` is a git directory (a bare repository or a `.git`). */
export function isGitDir(dir: string): boolean {
  return fs.existsSync(join(dir, "HEAD")) && fs.existsSync(join(dir, "objects"));
}

/** The git directory of a local repository: `<path>/.git`, or the path itself when bare; undefined otherwise. */
export function localGitDir(path: string): string | undefined {
  const dotGit = join(path, ".git");
  if (isGitDir(dotGit)) return dotGit;
  if (isGitDir(path)) return path;
  return undefined;
}
