// `poolkeeper run` as the demo's controller: its own process, started from the package's entry point with the
// arguments and environment a deployment would give it (the kubeconfig, the AWS endpoint, the pool repository's
// URL) and the world's clock (POOLKEEPER_SIM_CLOCK), so it talks to the simulated world only over HTTP through
// the real adapters. Its JSON log goes to the demo's log file; the demo waits on its lines (an event, never a
// time).
import { spawn, type ChildProcess } from "node:child_process";
import { readFileSync, type WriteStream } from "node:fs";
import { fileURLToPath } from "node:url";

const ENTRY = fileURLToPath(new URL("../../bin/poolkeeper.js", import.meta.url));

type LogLine = Record<string, unknown>;

export interface ControllerProcess {
  /** The loops `run` registered (its "starting" line). */
  loops: string[];
  /** Resolves with the first log line `match` accepts, or rejects when the process exits first. */
  line(match: (line: LogLine) => boolean, what: string): Promise<LogLine>;
  /** The process's peak resident set (VmHWM) in bytes, while it runs; undefined where /proc is not. */
  peakRss(): number | undefined;
  /** SIGTERM, then its exit code. */
  stop(): Promise<number | null>;
}

export function startController(args: string[], env: NodeJS.ProcessEnv, log: WriteStream): ControllerProcess {
  const child: ChildProcess = spawn(process.execPath, [ENTRY, "run", ...args], {
    stdio: ["ignore", "pipe", "pipe"],
    env,
  });
  const lines: LogLine[] = [];
  const waiters = new Set<{ match: (line: LogLine) => boolean; resolve: (line: LogLine) => void }>();
  let buffer = "";
  let stderr = "";
  const controller: ControllerProcess = {
    loops: [],
    line(match, what) {
      const found = lines.find(match);
      if (found) return Promise.resolve(found);
      return Promise.race([
        new Promise<LogLine>((resolve) => waiters.add({ match, resolve })),
        exited.then((code): LogLine => {
          throw new Error(`poolkeeper run exited (${code}) before ${what}: ${stderr.trim() || "see the log"}`);
        }),
      ]);
    },
    peakRss() {
      if (child.pid === undefined || child.exitCode !== null) return undefined;
      try {
        const kb = /^VmHWM:\s+(\d+) kB/m.exec(readFileSync(`/proc/${child.pid}/status`, "utf8"))?.[1];
        return kb === undefined ? undefined : Number(kb) * 1024;
      } catch {
        return undefined;
      }
    },
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
      return exited;
    },
  };
  child.stdout?.on("data", (chunk: Buffer) => {
    log.write(chunk);
    buffer += chunk.toString("utf8");
    let newline: number;
    while ((newline = buffer.indexOf("\n")) >= 0) {
      const text = buffer.slice(0, newline);
      buffer = buffer.slice(newline + 1);
      let line: LogLine;
      try {
        line = JSON.parse(text) as LogLine;
      } catch {
        continue;
      }
      lines.push(line);
      if (line.msg === "starting" && Array.isArray(line.loops)) controller.loops = line.loops.map(String);
      for (const waiter of waiters) {
        if (waiter.match(line)) {
          waiters.delete(waiter);
          waiter.resolve(line);
        }
      }
    }
  });
  child.stderr?.on("data", (chunk: Buffer) => {
    stderr += chunk.toString("utf8");
    log.write(chunk);
  });
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  return controller;
}
