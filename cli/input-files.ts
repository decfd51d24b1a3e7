// Turns the paths given on the command line into the YAML files to read: files as given, directories searched
// recursively for *.yaml / *.yml (skipping .git and node_modules), `-` for standard input.
import { readdirSync, statSync } from "node:fs";
import { join } from "node:path";

export const STDIN = "-";

export class InputError extends Error {
  override readonly name = "InputError";
}

export function expandPaths(paths: readonly string[]): string[] {
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
    if (stat.isDirectory()) files.push(...yamlFilesIn(path));
    else files.push(path);
  }
  return [...new Set(files)];
}

function yamlFilesIn(dir: string): string[] {
  const out: string[] = [];
  const entries = readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1));
  for (const entry of entries) {
    if (entry.name === ".git" || entry.name === "node_modules") continue;
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...yamlFilesIn(path));
    else if (entry.isFile() && /\.ya?ml$/.test(entry.name)) out.push(path);
  }
  return out;
}
