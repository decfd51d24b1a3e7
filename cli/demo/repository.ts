// The demo's pool repository: a working tree driven with the git command line and pushed over smart HTTP to the
// demo's Git server, as a platform team's repository is pushed to its Git host. Its first commit is
// examples/demo/repository/ (the guide's pools, corrected); later commits replace files with the demo's changes
// from examples/demo/commits/.
import { execFile } from "node:child_process";
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { GitServer } from "./git-server.ts";

/** examples/demo/ of this checkout or package. */
export const DEMO_EXAMPLES = demoExamplesDir(dirname(fileURLToPath(import.meta.url)));
const GIT_TIMEOUT_MS = 60_000;

export interface DemoRepository {
  /** What poolkeeper and `git clone` are given. */
  url: string;
  /** The bare repository the server serves (the status branch is read from it). */
  bare: string;
  work: string;
  /** Writes the files, commits them and pushes main; returns the new head. */
  /** Writes each file (or removes it, given null), commits and pushes; the new head. */
  commit(message: string, files: Record<string, string | null>): Promise<string>;
  head(): Promise<string>;
  /** `git log` of a branch of the served repository, with each commit's trailers. */
  log(branch: string, count: number): Promise<string>;
}

/**
 * The nearest examples/demo/ above a module's directory: two levels up from the sources (cli/demo/), three from a
 * build (dist/cli/demo/, where tsconfig.build.json puts it; the package ships examples/demo/ beside dist/). None
 * found: the sources' place, which the demo's start then names as missing.
 */
export function demoExamplesDir(moduleDir: string): string {
  for (let dir = moduleDir; ; dir = dirname(dir)) {
    const examples = join(dir, "examples", "demo");
    if (existsSync(examples)) return `${examples}/`;
    if (dirname(dir) === dir) return `${join(moduleDir, "..", "..", "examples", "demo")}/`;
  }
}

export async function createDemoRepository(server: GitServer, dir: string): Promise<DemoRepository> {
  const bare = server.createBareRepo("pools.git");
  const work = join(dir, "pools-work");
  const url = server.url("pools.git");
  cpSync(join(DEMO_EXAMPLES, "repository"), work, { recursive: true });
  await git(work, "init", "--quiet", "--initial-branch=main");
  await git(work, "remote", "add", "origin", url);
  const repository: DemoRepository = {
    url,
    bare,
    work,
    async commit(message, files) {
      for (const [path, text] of Object.entries(files)) {
        const file = join(work, path);
        if (text === null) {
          rmSync(file, { force: true });
          continue;
        }
        mkdirSync(dirname(file), { recursive: true });
        writeFileSync(file, text);
      }
      await git(work, "add", "-A");
      await git(work, "commit", "--quiet", "-m", message);
      await git(work, "push", "--quiet", "origin", "main");
      return repository.head();
    },
    head: () => git(work, "rev-parse", "HEAD"),
    log: (branch, count) => git(bare, "log", `-${count}`, branch, "--format=%h %s%n%(trailers:only,unfold)", "--"),
  };
  await git(work, "add", "-A");
  await git(work, "commit", "--quiet", "-m", "pools: the getting-started guide's pools, corrected");
  await git(work, "push", "--quiet", "origin", "main");
  return repository;
}

/** A file of examples/demo/. */
export function demoExample(path: string): string {
  return readFileSync(join(DEMO_EXAMPLES, path), "utf8");
}

function git(cwd: string, ...args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(
      "git",
      ["-c", "user.name=Platform Team", "-c", "user.email=platform@example.com", "-c", "credential.helper=", ...args],
      {
        cwd,
        timeout: GIT_TIMEOUT_MS,
        env: { PATH: process.env.PATH, HOME: cwd, GIT_TERMINAL_PROMPT: "0", GIT_CONFIG_NOSYSTEM: "1" },
        encoding: "utf8",
      },
      (error, stdout, stderr) => {
        if (error) reject(new Error(`git ${args[0]}: ${stderr.trim() || error.message}`));
        else resolve(stdout.trimEnd());
      },
    );
  });
}
