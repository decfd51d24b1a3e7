// The demo's peak memory as issue 26 counts it: the whole set of processes, the demo's own and the kubectl and `git
// http-backend` children it starts. The kernel keeps only each process's own peak (getrusage's ru_maxrss, VmHWM), so
// the set's is sampled: every 100 ms of wall time, this process's resident size plus each live descendant's own
// peak (VmHWM, from /proc/<pid>/task/<tid>/children, proc(5)); at the end, the larger of that and this process's
// peak alone. A child that starts and ends between two samples is missed; its peak counts only while it lives.
// Off Linux (no /proc) it is this process's peak, as before.
import { readdirSync, readFileSync } from "node:fs";

const INTERVAL_MS = 100;

export class ProcessTreeMemory {
  #peak = 0;
  #children = false;
  readonly #timer: NodeJS.Timeout;

  constructor() {
    this.#timer = setInterval(() => this.sample(), INTERVAL_MS).unref();
  }

  /** Adds the set's current size to the peak. */
  sample(): void {
    const own = statusKiB("self", "VmRSS");
    if (own === undefined) return;
    let total = own;
    for (const pid of descendants("self")) {
      const child = statusKiB(String(pid), "VmHWM");
      if (child === undefined) continue;
      total += child;
      this.#children = true;
    }
    this.#peak = Math.max(this.#peak, total * 1024);
  }

  /** Stops sampling; the peak in bytes, and whether any child was seen in it. */
  stop(): { peakBytes: number; sawChildren: boolean } {
    clearInterval(this.#timer);
    this.sample();
    return {
      peakBytes: Math.max(this.#peak, process.resourceUsage().maxRSS * 1024),
      sawChildren: this.#children,
    };
  }
}

/** A field of /proc/<pid>/status in KiB, or undefined when it cannot be read (off Linux, the process gone). */
function statusKiB(pid: string, field: "VmRSS" | "VmHWM"): number | undefined {
  try {
    const match = new RegExp(`^${field}:\\s+(\\d+) kB`, "m").exec(readFileSync(`/proc/${pid}/status`, "utf8"));
    return match ? Number(match[1]) : undefined;
  } catch {
    return undefined;
  }
}

/** Every descendant's pid: the children of each of a process's threads, recursively. */
function descendants(pid: string): number[] {
  const found: number[] = [];
  let tasks: string[];
  try {
    tasks = readdirSync(`/proc/${pid}/task`);
  } catch {
    return found;
  }
  for (const task of tasks) {
    let children: string;
    try {
      children = readFileSync(`/proc/${pid}/task/${task}/children`, "utf8");
    } catch {
      continue;
    }
    for (const child of children.split(" ").filter(Boolean).map(Number))
      found.push(child, ...descendants(String(child)));
  }
  return found;
}
