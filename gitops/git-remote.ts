// What the Git source and the status writer both do with a remote: answer its authentication challenge from
// the configured credentials (never from the URL), and fetch one branch with its full history.
import fs from "node:fs";
import git, { type FetchResult } from "isomorphic-git";
import http from "isomorphic-git/http/node";
import type { SourceCredentials } from "./source.ts";

/** The remote name both keep in their clone's config. */
export const REMOTE = "origin";

export interface AuthCallbacks {
  onAuth: (() => { username: string; password: string }) | undefined;
  onAuthFailure: () => { cancel: true };
}

export function authCallbacks(credentials: SourceCredentials | undefined): AuthCallbacks {
  return {
    onAuth: credentials
      ? () =>
          "token" in credentials
            ? { username: "x-access-token", password: credentials.token }
            : { username: credentials.username, password: credentials.password }
      : undefined,
    // Without this, isomorphic-git would throw a plain 401 HttpError; cancelling makes the failure explicit.
    onAuthFailure: () => ({ cancel: true as const }),
  };
}

/** Fetches `branch` (no tags, every commit: shallow clones break isomorphic-git's pushes) into `gitdir`. */
export function fetchBranch(gitdir: string, url: string, branch: string, auth: AuthCallbacks): Promise<FetchResult> {
  return git.fetch({
    fs,
    http,
    gitdir,
    url,
    remote: REMOTE,
    ref: branch,
    remoteRef: branch,
    singleBranch: true,
    tags: false,
    ...auth,
  });
}
