// Whether a repository path matches one of the configured globs, remembered by path. Every sync lists the same
// 1,000 pool paths against the same globs (tree-reader.ts, gate.ts), and Node's `path.matchesGlob` compiles the
// glob on every call (5–10 µs each, three calls per file per sync); the answers are a pure function of the path
// and the globs, so they are kept. Bounded: past MAX_PATHS remembered paths the memo starts again.
import { posix } from "node:path";

const MAX_PATHS = 100_000;

const byGlobs = new Map<string, Map<string, boolean>>();
let remembered = 0;

/** `posix.matchesGlob(path, glob)` for some glob of `globs`. */
export function matchesAnyGlob(path: string, globs: readonly string[]): boolean {
  const key = globs.join("\u0000");
  let answers = byGlobs.get(key);
  if (answers === undefined) {
    answers = new Map();
    byGlobs.set(key, answers);
  }
  let answer = answers.get(path);
  if (answer === undefined) {
    answer = globs.some((glob) => posix.matchesGlob(path, glob));
    if (remembered >= MAX_PATHS) {
      for (const kept of byGlobs.values()) kept.clear();
      remembered = 0;
    }
    answers.set(path, answer);
    remembered++;
  }
  return answer;
}
