// Reads manifests as they were at a Git ref (a pull request's base), with the git CLI: the files under the
// given paths at that ref, so `check --base` can tell new, changed and deleted objects and judge changes.
import { execFileSync } from "node:child_process";
import { existsSync, statSync } from "node:fs";
import { dirname, isAbsolute, relative, resolve } from "node:path";
import { InputError, STDIN } from "./input-files.ts";

export interface BaseFile {
  /** Path as the user would name it (relative to the working directory). */
  path: string;
  text: string;
}

function git(args: string[], cwd: string): string {
  try {
    return execFileSync("git", args, {
      cwd,
      encoding: "utf8",
      maxBuffer: 64 * 1024 * 1024,
      stdio: ["ignore", "pipe", "pipe"],
    });
  } catch (error) {
    const stderr = (error as { stderr?: string }).stderr?.trim();
    throw new InputError(`git ${args.join(" ")}: ${stderr || (error as Error).message}`);
  }
}

/** The YAML files under `paths` at `ref`, with their text; the repository is the one holding the first path. */
export function readFilesAtRef(ref: string, paths: readonly string[], cwd = process.cwd()): BaseFile[] {
  const first = paths.find((p) => p !== STDIN);
  const firstDir = first === undefined ? cwd : resolve(cwd, first);
  const repoDir = existsSync(firstDir) && statSync(firstDir).isDirectory() ? firstDir : dirname(firstDir);
  const top = git(["rev-parse", "--show-toplevel"], repoDir).trim();
  try {
    git(["rev-parse", "--verify", "--quiet", `${ref}^{commit}`], top);
  } catch (error) {
    if (!(error instanceof InputError)) throw error; // git() reports every failure of git itself as one
    throw new InputError(`--base ${ref}: no such commit in the repository at ${top}`);
  }
  const wanted = paths.filter((p) => p !== STDIN).map((p) => relative(top, resolve(cwd, p)) || ".");
  if (wanted.length === 0) return [];
  const listed = git(["ls-tree", "-r", "--name-only", "--full-tree", ref, "--", ...wanted], top)
    .split("\n")
    .filter((f) => /\.ya?ml$/.test(f));
  return listed.map((file) => ({
    path: first !== undefined && isAbsolute(first) ? resolve(top, file) : relative(cwd, resolve(top, file)),
    text: git(["show", `${ref}:${file}`], top),
  }));
}
