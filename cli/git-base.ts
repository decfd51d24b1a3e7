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
  return gitBytes(args, cwd).toString("utf8");
}

function gitBytes(args: string[], cwd: string, input?: string): Buffer {
  try {
    return execFileSync("git", args, {
      cwd,
      maxBuffer: 256 * 1024 * 1024,
      stdio: [input === undefined ? "ignore" : "pipe", "pipe", "pipe"],
      ...(input === undefined ? {} : { input }),
    });
  } catch (error) {
    const stderr = (error as { stderr?: Buffer }).stderr?.toString("utf8").trim();
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
  // "<mode> <type> <object>\t<path>", NUL-terminated so that no path is quoted.
  const listed = git(["ls-tree", "-r", "-z", "--full-tree", ref, "--", ...wanted], top)
    .split("\0")
    .flatMap((entry) => {
      const tab = entry.indexOf("\t");
      const [, type, object] = entry.slice(0, tab).split(" ");
      const file = entry.slice(tab + 1);
      return tab > 0 && type === "blob" && object !== undefined && /\.ya?ml$/.test(file) ? [{ file, object }] : [];
    });
  if (listed.length === 0) return [];
  // Every file's content from one git process: a repository of a thousand pool files is a thousand otherwise.
  const texts = catFiles(
    listed.map((l) => l.object),
    top,
  );
  return listed.map(({ file }, i) => ({
    path: first !== undefined && isAbsolute(first) ? resolve(top, file) : relative(cwd, resolve(top, file)),
    text: texts[i] ?? "",
  }));
}

// `git cat-file --batch`: per object "<object> <type> <size>\n", its bytes, "\n".
function catFiles(objects: readonly string[], top: string): string[] {
  const out = gitBytes(["cat-file", "--batch"], top, `${objects.join("\n")}\n`);
  const texts: string[] = [];
  let at = 0;
  for (const object of objects) {
    const end = out.indexOf(0x0a, at);
    const header = out.subarray(at, end).toString("utf8").split(" ");
    const size = Number(header[2]);
    if (end < 0 || header[0] !== object || !Number.isInteger(size)) {
      throw new InputError(`git cat-file --batch: unexpected answer for ${object}: ${header.join(" ")}`);
    }
    texts.push(out.subarray(end + 1, end + 1 + size).toString("utf8"));
    at = end + 1 + size + 1;
  }
  return texts;
}
