// `poolkeeper run` as the demo's controller: started in the demo's process through the CLI's own entry (`main`, given
// to the demo by the caller so that cli/demo imports no command table) with the arguments a deployment would give it
// — the kubeconfig, the AWS endpoint, the pool repository's URL — and the world's virtual clock, so it talks to the
// simulated world only over HTTP through the real adapters, and the clock moves only once its work is done
// (quiescent-clock.ts). Its JSON log goes to the demo's log file; the demo waits on its lines (an event, never a
// time).
import type { WriteStream } from "node:fs";
import { Writable } from "node:stream";
import type { TimerClock } from "../../api/index.ts";
import type { MainControl } from "../main.ts";
import type { Output } from "../output.ts";

type LogLine = Record<string, unknown>;

/** The CLI's entry: `main` of cli/main.ts. */
export type PoolkeeperMain = (argv: readonly string[], out: Output, control: MainControl) => Promise<number>;

export interface DemoController {
  /** The loops `run` registered (its "starting" line). */
  loops: string[];
  /** Resolves with the first log line `match` accepts, or rejects when `run` exits first. */
  line(match: (line: LogLine) => boolean, what: string): Promise<LogLine>;
  /** Stops it as SIGTERM would; its exit code. */
  stop(): Promise<number>;
}

export function startController(
  main: PoolkeeperMain,
  args: string[],
  clock: TimerClock,
  log: WriteStream,
): DemoController {
  const lines: LogLine[] = [];
  const waiters = new Set<{ match: (line: LogLine) => boolean; resolve: (line: LogLine) => void }>();
  let buffer = "";
  const stop = new AbortController();
  const controller: DemoController = {
    loops: [],
    line(match, what) {
      const found = lines.find(match);
      if (found) return Promise.resolve(found);
      return Promise.race([
        new Promise<LogLine>((resolve) => waiters.add({ match, resolve })),
        exited.then((code): LogLine => {
          throw new Error(`poolkeeper run exited (${code}) before ${what}: ${said.trim() || "see the log"}`);
        }),
      ]);
    },
    async stop() {
      stop.abort();
      return exited;
    },
  };
  const onLine = (text: string) => {
    let line: LogLine;
    try {
      line = JSON.parse(text) as LogLine;
    } catch {
      return;
    }
    lines.push(line);
    if (line.msg === "starting" && Array.isArray(line.loops)) controller.loops = line.loops.map(String);
    for (const waiter of waiters) {
      if (waiter.match(line)) {
        waiters.delete(waiter);
        waiter.resolve(line);
      }
    }
  };
  const destination = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      log.write(chunk);
      buffer += chunk.toString("utf8");
      let newline: number;
      while ((newline = buffer.indexOf("\n")) >= 0) {
        onLine(buffer.slice(0, newline));
        buffer = buffer.slice(newline + 1);
      }
      callback();
    },
  });
  // What run writes outside its log (a refusal to start) goes to the log file too, and into a failure's message.
  let said = "";
  const out: Output = {
    stdout: (text) => log.write(text),
    stderr: (text) => {
      said += text;
      log.write(text);
    },
    style: (_colour, text) => text,
    interactive: false,
  };
  const exited = main(["run", ...args], out, { run: { clock, signal: stop.signal, log: destination } });
  return controller;
}
