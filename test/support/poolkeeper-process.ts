// A `poolkeeper` command started as its own process, as a deployment runs it: its JSON log lines (standard
// output) collected as they come, so a test waits for "leading" or "passive" — an event, never a time — and its
// standard error and exit code kept for the end.
// Each starts as the leader of its own process group (`detached`), and SIGKILL goes to the whole group: a container
// killed takes every process it started with it, and a child `run` forks for Git work (gitops/git-process.ts) would
// otherwise outlive the kill holding the replica's pipes. Every wait is bounded by a hang guard whose failure says
// what the group's processes are doing (/proc: stopped, in uninterruptible I/O, a zombie) and the last log lines.
import { spawn, type ChildProcess } from "node:child_process";
import { join } from "node:path";
import { projectRoot } from "./fixtures.ts";
import { CHILD_HANG_GUARD_MS, guardAgainstHang, HANG_GUARD_MS } from "./hang-guard.ts";
import { describeProcessGroup } from "./process-group.ts";

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
  /**
   * Sends `signal` and waits for the exit, as exit() does: SIGKILL to the whole process group (the command and every
   * process it started), any other signal to the command alone, which may stop its children its own way.
   */
  kill(signal?: NodeJS.Signals): Promise<number | null>;
  /** Resolves once standard output and error are closed: every process that held them (children too) is gone. */
  stdioClosed(): Promise<void>;
}

/** `entry`: the checkout's bin/poolkeeper.js unless given (another package directory's, say: a built bundle). */
export function startPoolkeeper(
  args: string[],
  env: NodeJS.ProcessEnv = process.env,
  entry = join(projectRoot, "bin", "poolkeeper.js"),
): PoolkeeperProcess {
  return startLoggingProcess(process.execPath, [entry, ...args], env);
}

/** Any command writing JSON lines, started and watched as startPoolkeeper's; exported for the helper's own test. */
export function startLoggingProcess(command: string, args: string[], env: NodeJS.ProcessEnv): PoolkeeperProcess {
  const child = spawn(command, args, { stdio: ["ignore", "pipe", "pipe"], env, detached: true });
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
  const exited = new Promise<number | null>((resolve, reject) => {
    child.once("exit", (code) => resolve(code));
    // A spawn that failed (EAGAIN, EMFILE under load) emits 'error' and never 'exit'.
    child.once("error", (error) => reject(new Error(`${command} could not be started: ${error.message}`)));
  });
  // Settled by 'close': every holder of the pipes gone, the command's children too.
  const closed = new Promise<void>((resolve) => child.once("close", () => resolve()));
  // A rejection nobody awaits (a spawn error before anyone waits) must not crash the test process.
  exited.catch(() => undefined);
  /** What a guard's failure says: the pid, its group's processes as /proc shows them, the last lines it wrote. */
  const diagnose = () =>
    [
      `pid ${child.pid ?? "none (not started)"}, exit code ${child.exitCode}, signal ${child.signalCode}; ` +
        `its process group now:`,
      child.pid === undefined ? "  none" : describeProcessGroup(child.pid),
      `standard error (last 2,000 characters): ${errors.slice(-2_000)}`,
      "last log lines:",
      ...lines.slice(-20).map((l) => `  ${JSON.stringify(l)}`),
    ].join("\n");
  const exit = (guardMs = CHILD_HANG_GUARD_MS) =>
    guardAgainstHang(exited, `${command} (pid ${child.pid}) to exit`, guardMs, diagnose);
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
      return guardAgainstHang(Promise.race([waiting, ended]), what, CHILD_HANG_GUARD_MS, diagnose);
    },
    exit: () => exit(),
    kill(signal = "SIGKILL") {
      if (child.pid !== undefined && child.exitCode === null && child.signalCode === null) {
        if (signal === "SIGKILL") killGroup(child.pid);
        else child.kill(signal);
      }
      // A process killed does nothing more: a minute without its exit is a hang. SIGTERM's shutdown gets longer.
      return exit(signal === "SIGKILL" ? HANG_GUARD_MS : CHILD_HANG_GUARD_MS);
    },
    stdioClosed: () => guardAgainstHang(closed, `the standard output of ${command} to close`, HANG_GUARD_MS, diagnose),
  };
}

/** SIGKILL to every process of group `pgid` (kill(2) with a negative pid); a group already gone is no error. */
function killGroup(pgid: number): void {
  try {
    process.kill(-pgid, "SIGKILL");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ESRCH") throw error;
  }
}
