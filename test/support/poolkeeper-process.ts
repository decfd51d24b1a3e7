// A `poolkeeper` command started as its own process, as a deployment runs it: its JSON log lines (standard
// output) collected as they come, so a test waits for "leading" or "passive" — an event, never a time — and its
// standard error and exit code kept for the end.
import { spawn, type ChildProcess } from "node:child_process";
import { join } from "node:path";
import { projectRoot } from "./fixtures.ts";
import { CHILD_HANG_GUARD_MS, guardAgainstHang } from "./hang-guard.ts";

type Json = Record<string, unknown>;

export interface PoolkeeperProcess {
  child: ChildProcess;
  /** Every JSON line of standard output so far, oldest first. */
  lines: Json[];
  stderr(): string;
  /** The first line at index `from` or later that `match` accepts, written already or still to come. */
  line(match: (line: Json) => boolean, what: string, from?: number): Promise<Json>;
  /** Resolves with the exit code (null when killed by a signal). */
  exit(): Promise<number | null>;
}

export function startPoolkeeper(args: string[], env: NodeJS.ProcessEnv = process.env): PoolkeeperProcess {
  const child = spawn(process.execPath, [join(projectRoot, "bin", "poolkeeper.js"), ...args], {
    stdio: ["ignore", "pipe", "pipe"],
    env,
  });
  const lines: Json[] = [];
  const waiters = new Set<{ match: (line: Json) => boolean; from: number; resolve: (line: Json) => void }>();
  let buffer = "";
  let errors = "";
  child.stdout?.on("data", (chunk: Buffer) => {
    buffer += chunk.toString("utf8");
    let newline: number;
    while ((newline = buffer.indexOf("\n")) >= 0) {
      const text = buffer.slice(0, newline);
      buffer = buffer.slice(newline + 1);
      let line: Json;
      try {
        line = JSON.parse(text) as Json;
      } catch {
        line = { msg: text, unparsed: true };
      }
      lines.push(line);
      for (const waiter of waiters) {
        if (lines.length - 1 >= waiter.from && waiter.match(line)) {
          waiters.delete(waiter);
          waiter.resolve(line);
        }
      }
    }
  });
  child.stderr?.on("data", (chunk: Buffer) => (errors += chunk.toString("utf8")));
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  return {
    child,
    lines,
    stderr: () => errors,
    line(match, what, from = 0) {
      const found = lines.slice(from).find(match);
      if (found) return Promise.resolve(found);
      const waiting = new Promise<Json>((resolve) => waiters.add({ match, from, resolve }));
      const ended = exited.then((code): Json => {
        throw new Error(
          `poolkeeper exited (${code}) before ${what}; stderr:\n${errors}\nlog:\n${lines.map((l) => JSON.stringify(l)).join("\n")}`,
        );
      });
      return guardAgainstHang(Promise.race([waiting, ended]), what, CHILD_HANG_GUARD_MS);
    },
    exit: () => guardAgainstHang(exited, "poolkeeper to exit", CHILD_HANG_GUARD_MS),
  };
}
