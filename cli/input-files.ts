// Turns the paths given on the command line into the YAML files to read: files as given, directories searched
// recursively for *.yaml / *.yml (skipping .git and node_modules, what --exclude and the working directory's
// .poolkeeperignore name), `-` for standard input. A directory holding no YAML at all is a usage error: a typo in
// a CI step's path must not pass silently.
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { isAbsolute, join, posix, relative, resolve, sep } from "node:path";

export const STDIN = "-";

/**
 * How a file is named in reports: relative to the working directory when it lies under it (what a terminal or a CI
 * log can click, however the path was given), as given otherwise; standard input as `<stdin>`.
 */
export function displayPath(file: string): string {
  if (file === STDIN) return "<stdin>";
  const under = relative(process.cwd(), resolve(file));
  return under !== "" && !under.startsWith("..") && !isAbsolute(under) ? under : file;
}

/** The ignore file read from the working directory: one glob per line, `#` comments, as --exclude takes. */
export const IGNORE_FILE = ".poolkeeperignore";

export class InputError extends Error {
  override readonly name = "InputError";
}

/**
 * Which walked paths to leave out, gitignore-like: a pattern without a `/` matches a file or directory name at
 * any depth (`values.yaml`, `*.tmpl.yaml`, `charts`), one with a `/` matches from the working directory
 * (`deploy/helm/**`, `/ci`); a trailing `/` is dropped; what a directory pattern matches is left out whole.
 */
export class Exclusions {
  /** Patterns matched against one name at any depth. */
  readonly #names: string[] = [];
  /** Patterns matched from the working directory, against a path or any of its parent directories. */
  readonly #anchored: string[] = [];

  constructor(patterns: readonly string[]) {
    for (const raw of patterns) {
      let p = raw.trim().replaceAll("\\", "/");
      if (p === "" || p.startsWith("#")) continue;
      if (p.endsWith("/")) p = p.slice(0, -1);
      if (p.includes("/")) this.#anchored.push(p.startsWith("/") ? p.slice(1) : p);
      else this.#names.push(p);
    }
  }

  /** The exclusions of --exclude and, when the working directory has one, its .poolkeeperignore. */
  static load(exclude: readonly string[], cwd = process.cwd()): Exclusions {
    const file = join(cwd, IGNORE_FILE);
    const lines = existsSync(file) ? readFileSync(file, "utf8").split(/\r?\n/) : [];
    return new Exclusions([...exclude, ...lines]);
  }

  /** Whether `path` (as walked, relative to the working directory or absolute) is left out. */
  excludes(path: string, cwd = process.cwd()): boolean {
    if (this.#names.length === 0 && this.#anchored.length === 0) return false;
    const rel = relative(cwd, path).split(sep).join("/");
    if (rel.startsWith("../")) return false;
    // Each segment for a name pattern, each leading part for an anchored one: a matching directory excludes
    // everything below it (a glob's own ** would not enter .github/ and other dot directories).
    const segments = rel.split("/");
    if (segments.some((segment) => this.#names.some((glob) => posix.matchesGlob(segment, glob)))) return true;
    return segments.some((_, i) => {
      const prefix = segments.slice(0, i + 1).join("/");
      return this.#anchored.some((glob) => posix.matchesGlob(prefix, glob));
    });
  }
}

export function expandPaths(paths: readonly string[], exclusions = Exclusions.load([])): string[] {
  const files: string[] = [];
  for (const path of paths) {
    if (path === STDIN) {
      files.push(STDIN);
      continue;
    }
    let stat;
    try {
      stat = statSync(path);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === "ENOENT" || code === "ENOTDIR") throw new InputError(`${path}: no such file or directory`);
      // Any other reason the file system gives (EACCES, ELOOP, ENAMETOOLONG…), by its code, as readInput does.
      if (typeof code === "string") throw new InputError(`${path}: cannot be read (${code})`);
      throw error;
    }
    if (stat.isDirectory()) {
      const found = yamlFilesIn(path, exclusions);
      if (found.length === 0) throw new InputError(`no YAML files under ${path} (*.yaml, *.yml)`);
      files.push(...found);
    } else files.push(path); // named on the command line: read even when an exclusion would match it
  }
  return [...new Set(files)];
}

function yamlFilesIn(dir: string, exclusions: Exclusions): string[] {
  const out: string[] = [];
  const entries = readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1));
  for (const entry of entries) {
    if (entry.name === ".git" || entry.name === "node_modules") continue;
    const path = join(dir, entry.name);
    if (exclusions.excludes(path)) continue;
    if (entry.isDirectory()) out.push(...yamlFilesIn(path, exclusions));
    else if (entry.isFile() && /\.ya?ml$/.test(entry.name)) out.push(path);
  }
  return out;
}
