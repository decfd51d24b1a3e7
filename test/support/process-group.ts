// What the processes of a process group are doing, read from Linux's /proc, for the message of a wait that did not
// end: a killed process that has not exited is stopped (T), traced (t), in uninterruptible I/O (D, with the kernel
// function it sleeps in) or a zombie (Z) its parent has not reaped, and a child it started may outlive it holding
// its pipes. The fields are those proc(5) documents for /proc/<pid>/stat; elsewhere the message says /proc is absent.
import { readdirSync, readFileSync } from "node:fs";

export interface ProcessState {
  pid: number;
  ppid: number;
  pgrp: number;
  /** proc(5)'s state letter: R running, S sleeping, D uninterruptible, Z zombie, T stopped, t traced, … */
  state: string;
  /** The kernel function a sleeping process waits in (/proc/<pid>/wchan), when the kernel says. */
  wchan: string;
  command: string;
}

/** Reads /proc/<pid>/stat; undefined once the process is gone (or on a system without /proc). */
export function processState(pid: number): ProcessState | undefined {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  } catch {
    return undefined;
  }
  // "pid (comm) state ppid pgrp …": comm may hold spaces and parentheses, so split after its last ')'.
  const close = stat.lastIndexOf(")");
  const [state = "?", ppid = "0", pgrp = "0"] = stat.slice(close + 2).split(" ");
  const read = (file: string) => {
    try {
      return readFileSync(`/proc/${pid}/${file}`, "utf8");
    } catch {
      return "";
    }
  };
  return {
    pid,
    ppid: Number(ppid),
    pgrp: Number(pgrp),
    state,
    wchan: read("wchan"),
    command:
      read("cmdline")
        .replace(/\s+|\0/g, " ")
        .trim()
        .slice(0, 200) || stat.slice(stat.indexOf("(") + 1, close),
  };
}

/** Every process of group `pgid` (the leader first when it is still there), from /proc. */
export function processGroup(pgid: number): ProcessState[] {
  let pids: number[];
  try {
    pids = readdirSync("/proc")
      .filter((name) => /^\d+$/.test(name))
      .map(Number);
  } catch {
    return [];
  }
  return pids
    .map(processState)
    .filter((p): p is ProcessState => p?.pgrp === pgid)
    .sort((a, b) => (a.pid === pgid ? -1 : b.pid === pgid ? 1 : a.pid - b.pid));
}

/** One line per process of the group, as `ps -o pid,ppid,stat,wchan,args` would show them. */
export function describeProcessGroup(pgid: number): string {
  if (processState(process.pid) === undefined) return "  (no /proc on this system: no process states)";
  const group = processGroup(pgid);
  if (group.length === 0) return `  no process of group ${pgid} is left`;
  return group
    .map((p) => `  pid ${p.pid} ppid ${p.ppid} state ${p.state}${p.wchan ? ` in ${p.wchan}` : ""}: ${p.command}`)
    .join("\n");
}
