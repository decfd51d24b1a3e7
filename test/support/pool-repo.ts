// A pool repository for GitOps tests: a working tree driven with the `git` CLI (an independent client) whose
// `main` branch starts as test/fixtures/gitops/repo (a poolkeeper.yaml and a NodePool + EC2NodeClass that
// pass the baseline policy) and is pushed to a bare repository of the test's Git server.
import { execFile } from "node:child_process";
import { cpSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { promisify } from "node:util";
import { fixturesDir } from "./fixtures.ts";
import type { GitServer, GitServerAuth } from "./git-server.ts";

const run = promisify(execFile);

export const poolRepoFixture = join(fixturesDir, "gitops", "repo");

/** Runs `git` with a fixed identity, never prompting; returns stdout without its trailing newline. */
export async function gitCli(cwd: string, ...args: string[]): Promise<string> {
  const { stdout } = await run("git", ["-c", "user.name=t", "-c", "user.email=t@e", ...args], {
    cwd,
    env: { ...process.env, GIT_TERMINAL_PROMPT: "0" },
    maxBuffer: 64 * 1024 * 1024,
  });
  return stdout.replace(/\n$/, "");
}

export interface PoolRepo {
  /** The working tree. */
  work: string;
  /** URL without credentials (what poolkeeper is given). */
  url: string;
  /** URL with credentials, for the git CLI. */
  pushUrl: string;
  /** Writes (or, for null, deletes) files, commits them and returns the new sha (not pushed). */
  commit(message: string, files: Record<string, string | null>): Promise<string>;
  /** Pushes main (with --force when asked). */
  push(force?: boolean): Promise<void>;
  /** A file of the working tree. */
  read(path: string): string;
}

export async function createPoolRepo(
  server: GitServer,
  name: string,
  tmp: string,
  auth?: GitServerAuth,
): Promise<PoolRepo> {
  server.createBareRepo(`${name}.git`);
  const work = join(tmp, `${name}-work`);
  rmSync(work, { recursive: true, force: true });
  cpSync(poolRepoFixture, work, { recursive: true });
  await gitCli(work, "init", "--quiet", "--initial-branch=main");
  const pushUrl = server.url(`${name}.git`, auth);
  const repo: PoolRepo = {
    work,
    url: server.url(`${name}.git`),
    pushUrl,
    async commit(message, files) {
      for (const [path, text] of Object.entries(files)) {
        const file = join(work, path);
        if (text === null) rmSync(file, { force: true });
        else {
          mkdirSync(dirname(file), { recursive: true });
          writeFileSync(file, text);
        }
      }
      await gitCli(work, "add", "-A");
      await gitCli(work, "commit", "--quiet", "--allow-empty", "-m", message);
      return gitCli(work, "rev-parse", "HEAD");
    },
    async push(force = false) {
      await gitCli(work, "push", "--quiet", ...(force ? ["--force"] : []), pushUrl, "HEAD:main");
    },
    read: (path) => readFileSync(join(work, path), "utf8"),
  };
  await repo.commit("pools: general-purpose pool", {});
  await repo.push();
  return repo;
}

/** The fixture pool with IMDSv1 allowed: the baseline policy denies it. */
export function insecurePool(repo: PoolRepo): string {
  return repo.read("pools/default.yaml").replace("httpTokens: required", "httpTokens: optional");
}

/** A PoolPolicy that turns the IMDSv2 rule into a warning: with it, `insecurePool` passes. */
export const IMDS_WARN_POLICY = [
  "apiVersion: poolkeeper.dev/v1alpha1",
  "kind: PoolPolicy",
  "metadata: {name: legacy-imds}",
  "spec:",
  "  rules:",
  "    imds.http-tokens: {enforcement: warn}",
  "",
].join("\n");

/** The fixture pool with a new CPU limit. */
export function poolWithCpuLimit(repo: PoolRepo, cpu: number): string {
  return repo.read("pools/default.yaml").replace(/cpu: "\d+"/, `cpu: "${cpu}"`);
}
