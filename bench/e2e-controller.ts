// `poolkeeper run` for the end-to-end bench: its own process, started from the package's entry point as the demo
// starts it (cli/demo/controller-process.ts), so its CPU time and memory are its own and not the world's. Node's
// inspector (`--inspect=127.0.0.1:0`, a session opened once) reads them from inside the process — `process.cpuUsage`,
// `resourceUsage().maxRSS` (the peak resident set, as the kernel keeps it) and the V8 heap after
// `HeapProfiler.collectGarbage` — the same on every platform, and with no hook in the program itself.
import { spawn, type ChildProcess } from "node:child_process";
import { closeSync, existsSync, fstatSync, openSync, readSync, writeFileSync, writeSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { nativeBreakdown, type MemoryBreakdown } from "./memory-breakdown.ts";

const ENTRY = fileURLToPath(new URL("../bin/poolkeeper.js", import.meta.url));

/**
 * What bin/poolkeeper.js will run for the controller, checked against what the bench was asked to measure: without
 * type stripping it runs the bundle when dist/bundle/ is there, dist/ otherwise.
 */
export function controllerEntry(dist: boolean, bundle: boolean): string {
  const bundled = existsSync(new URL("../dist/bundle/main.js", import.meta.url));
  if (dist && bundle) throw new Error("e2e bench: E2E_DIST=1 and E2E_BUNDLE=1 ask for two different controllers");
  if (bundle && !bundled) throw new Error("e2e bench: E2E_BUNDLE=1 needs dist/bundle/ (`node scripts/bundle.ts`)");
  if (dist && bundled)
    throw new Error(
      "e2e bench: E2E_DIST=1 measures dist/ alone: remove dist/bundle/, which bin/poolkeeper.js would run",
    );
  if (dist && !existsSync(new URL("../dist/cli/main.js", import.meta.url)))
    throw new Error("e2e bench: E2E_DIST=1 needs dist/ (`npm run build`)");
  return dist ? "dist/" : bundle ? "the bundle (dist/bundle/)" : "the sources";
}

type LogLine = Record<string, unknown>;

export interface ControllerUsage {
  /** User + system CPU time since the process started, seconds. */
  cpuSeconds: number;
  /** Peak resident set since the process started, bytes. */
  maxRssBytes: number;
  rssBytes: number;
  /** process.memoryUsage()'s V8 heap (reserved, in use), and what lives outside it (external, of which ArrayBuffers), bytes. */
  heapTotalBytes: number;
  heapUsedBytes: number;
  externalBytes: number;
  arrayBuffersBytes: number;
}

export interface BenchController {
  readonly lines: LogLine[];
  /** Resolves with the first log line `match` accepts (written already or to come); rejects when it exits first. */
  line(match: (line: LogLine) => boolean, what: string): Promise<LogLine>;
  usage(): Promise<ControllerUsage>;
  /** The V8 heap in use right after a full garbage collection, bytes. */
  heapAfterGc(): Promise<number>;
  /** Where its RSS is right after a full garbage collection (memory-breakdown.ts). */
  breakdown(): Promise<MemoryBreakdown>;
  /**
   * Writes a V8 heap snapshot (.heapsnapshot: DevTools, bench/heap-retainers.ts) to `file`. V8 collects garbage
   * first, so it holds what is live at that moment.
   */
  heapSnapshot(file: string): Promise<void>;
  /** Starts V8's CPU profiler; the function stops it and writes the profile (.cpuprofile, for DevTools) to `file`. */
  profile(): Promise<(file: string) => Promise<void>>;
  stop(): Promise<number | null>;
}

/**
 * `nodeFlags`: Node's own flags for it (those NODE_OPTIONS refuses). `logFile`: where its JSON log goes (E2E_LOG keeps it; the bench's temporary directory otherwise). The controller
 * writes to the file itself and the bench reads what it added every 100 ms: through a pipe, a bench busy running the
 * world (its scheduler's passes are synchronous and take minutes under load) stopped reading, the pipe filled, and
 * the controller stood still in its next log write — measuring the bench, not the controller.
 */
export async function startBenchController(
  args: string[],
  env: NodeJS.ProcessEnv,
  logFile: string,
  nodeFlags: string[] = [],
): Promise<BenchController> {
  const logFd = openSync(logFile, "a");
  // Appended to an existing E2E_LOG: only this run's lines are read.
  let position = fstatSync(logFd).size;
  const child: ChildProcess = spawn(process.execPath, ["--inspect=127.0.0.1:0", ...nodeFlags, ENTRY, "run", ...args], {
    stdio: ["ignore", logFd, "pipe"],
    env,
  });
  closeSync(logFd);
  const lines: LogLine[] = [];
  const waiters = new Set<{ match: (line: LogLine) => boolean; resolve: (line: LogLine) => void }>();
  let stderr = "";
  let inspectorUrl: (url: string) => void = () => {};
  const inspector = new Promise<string>((resolve) => (inspectorUrl = resolve));
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  const reader = openSync(logFile, "r");
  const chunk = Buffer.alloc(1024 * 1024);
  let buffer = "";
  const readLog = () => {
    let read: number;
    while ((read = readSync(reader, chunk, 0, chunk.length, position)) > 0) {
      position += read;
      buffer += chunk.toString("utf8", 0, read);
    }
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
      for (const waiter of waiters) {
        if (waiter.match(line)) {
          waiters.delete(waiter);
          waiter.resolve(line);
        }
      }
    }
  };
  const tail = setInterval(readLog, 100);
  child.once("exit", () => {
    clearInterval(tail);
    readLog();
    closeSync(reader);
  });
  child.stderr?.on("data", (chunk: Buffer) => {
    stderr += chunk.toString("utf8");
    const url = /Debugger listening on (ws:\/\/\S+)/.exec(stderr)?.[1];
    if (url !== undefined) inspectorUrl(url);
  });
  const failed = exited.then((code): never => {
    throw new Error(`poolkeeper run exited (${code}): ${stderr.trim()}`);
  });
  const session = await Promise.race([inspector.then(openSession), failed]);

  const evaluate = async (expression: string): Promise<unknown> => {
    const reply = (await session.call("Runtime.evaluate", { expression, returnByValue: true })) as {
      result: { value: unknown };
    };
    return reply.result.value;
  };
  return {
    lines,
    line(match, what) {
      const found = lines.find(match);
      if (found) return Promise.resolve(found);
      return Promise.race([
        new Promise<LogLine>((resolve) => waiters.add({ match, resolve })),
        failed.catch((error: Error) => {
          throw new Error(`before ${what}: ${error.message}`);
        }),
      ]);
    },
    async usage() {
      const value = (await evaluate(
        "(() => { const c = process.cpuUsage(); const m = process.memoryUsage(); " +
          "return [c.user + c.system, process.resourceUsage().maxRSS, m.rss, m.heapTotal, m.heapUsed, m.external, " +
          "m.arrayBuffers]; })()",
      )) as [number, number, number, number, number, number, number];
      return {
        cpuSeconds: value[0] / 1e6,
        maxRssBytes: value[1] * 1024,
        rssBytes: value[2],
        heapTotalBytes: value[3],
        heapUsedBytes: value[4],
        externalBytes: value[5],
        arrayBuffersBytes: value[6],
      };
    },
    async heapAfterGc() {
      await session.call("HeapProfiler.collectGarbage", {});
      return (await evaluate("process.memoryUsage().heapUsed")) as number;
    },
    async breakdown() {
      await session.call("HeapProfiler.collectGarbage", {});
      // process.getBuiltinModule: the evaluated expression has no import and no require.
      const value = (await evaluate(
        "(() => { const m = process.memoryUsage(); " +
          "const spaces = process.getBuiltinModule('node:v8').getHeapSpaceStatistics()" +
          ".map((s) => ({ name: s.space_name, reserved: s.space_size, used: s.space_used_size })); " +
          "return { rss: m.rss, peakRss: process.resourceUsage().maxRSS * 1024, heapReserved: m.heapTotal, " +
          "heapUsed: m.heapUsed, spaces, external: m.external, arrayBuffers: m.arrayBuffers, " +
          "execPath: process.execPath }; })()",
      )) as MemoryBreakdown & { execPath: string };
      const { execPath, ...v8 } = value;
      const spaces = v8.spaces.filter((space) => space.reserved > 1024 * 1024);
      return { ...v8, spaces, ...(child.pid === undefined ? {} : nativeBreakdown(child.pid, execPath)) };
    },
    async heapSnapshot(file) {
      const fd = openSync(file, "w");
      const off = session.on("HeapProfiler.addHeapSnapshotChunk", (params) => {
        writeSync(fd, (params as { chunk: string }).chunk);
      });
      try {
        await session.call("HeapProfiler.takeHeapSnapshot", { reportProgress: false });
      } finally {
        off();
        closeSync(fd);
      }
    },
    async profile() {
      await session.call("Profiler.enable", {});
      await session.call("Profiler.start", {});
      return async (file) => {
        const { profile } = (await session.call("Profiler.stop", {})) as { profile: unknown };
        writeFileSync(file, JSON.stringify(profile));
      };
    },
    async stop() {
      session.close();
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
      return exited;
    },
  };
}

interface InspectorSession {
  call(method: string, params: object): Promise<unknown>;
  /** Calls `listener` with each notification of `method` (those carry no id) until the returned function is called. */
  on(method: string, listener: (params: unknown) => void): () => void;
  close(): void;
}

/** A Chrome DevTools Protocol session over the inspector's WebSocket (Node's global WebSocket client). */
async function openSession(url: string): Promise<InspectorSession> {
  const socket = new WebSocket(url);
  await new Promise<void>((resolve, reject) => {
    socket.addEventListener("open", () => resolve(), { once: true });
    socket.addEventListener("error", () => reject(new Error(`inspector ${url}: cannot connect`)), { once: true });
  });
  let next = 1;
  const listeners = new Map<string, Set<(params: unknown) => void>>();
  const pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  socket.addEventListener("message", (event: MessageEvent) => {
    const message = JSON.parse(String(event.data)) as {
      id?: number;
      method?: string;
      params?: unknown;
      result?: unknown;
      error?: { message: string };
    };
    if (message.id === undefined && message.method !== undefined) {
      for (const listener of listeners.get(message.method) ?? []) listener(message.params);
      return;
    }
    const waiter = message.id === undefined ? undefined : pending.get(message.id);
    if (waiter === undefined) return;
    pending.delete(message.id as number);
    if (message.error) waiter.reject(new Error(`inspector: ${message.error.message}`));
    else waiter.resolve(message.result);
  });
  let closed = false;
  socket.addEventListener("close", () => {
    closed = true;
    for (const waiter of pending.values()) waiter.reject(new Error("inspector: the session closed"));
    pending.clear();
  });
  return {
    call(method, params) {
      // The controller gone (killed for running out of heap, say): fail the call instead of waiting forever.
      if (closed) return Promise.reject(new Error(`inspector: the session closed before ${method}`));
      const id = next++;
      return new Promise((resolve, reject) => {
        pending.set(id, { resolve, reject });
        socket.send(JSON.stringify({ id, method, params }));
      });
    },
    on(method, listener) {
      const set = listeners.get(method) ?? new Set();
      listeners.set(method, set);
      set.add(listener);
      return () => set.delete(listener);
    },
    close: () => socket.close(),
  };
}
