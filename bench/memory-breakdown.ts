// Where a process's memory is, after a forced GC: RSS split into the V8 heap (by space: reserved and used), memory
// outside it that V8 knows of (external, ArrayBuffers), and the rest, which V8 does not see — on Linux read from
// /proc/self/smaps: glibc's malloc arenas (the main one is `[heap]`; each other thread's is an anonymous mapping
// aligned to 64 MiB, glibc's HEAP_MAX_SIZE), the Node binary's pages, and anything else. Printed by the benchmarks.
import { readFileSync } from "node:fs";
import v8 from "node:v8";

const MiB = 1024 * 1024;
const ARENA_ALIGNMENT = 64 * MiB;

export interface MemoryBreakdown {
  rss: number;
  /** The process's largest RSS so far (getrusage's ru_maxrss). */
  peakRss: number;
  heapReserved: number;
  heapUsed: number;
  /** V8 heap spaces with more than 1 MiB reserved: reserved and used bytes. */
  spaces: { name: string; reserved: number; used: number }[];
  external: number;
  arrayBuffers: number;
  /** Resident bytes of glibc's malloc arenas: `[heap]` and the 64 MiB-aligned anonymous mappings; undefined off Linux. */
  mallocArenas?: { main: number; threads: number; count: number };
  /** Resident bytes of the executable's own mapped pages (code and data read from the file). */
  binary?: number;
}

/**
 * Measures after a forced GC when the process runs with --expose-gc. `reduce`: a memory-reducing one instead (V8's
 * last-resort collection, which also gives back the pages V8 keeps pooled for reuse: what its memory reducer does
 * once a process has been idle for a few seconds, and a process synced back to back never is).
 */
export function memoryBreakdown(options: { reduce?: boolean } = {}): MemoryBreakdown {
  const gc = (globalThis as { gc?: (options?: object) => void }).gc;
  if (options.reduce) gc?.({ type: "major", execution: "sync", flavor: "last-resort" });
  else gc?.();
  const usage = process.memoryUsage();
  const spaces = v8
    .getHeapSpaceStatistics()
    .filter((s) => s.space_size > MiB)
    .map((s) => ({ name: s.space_name, reserved: s.space_size, used: s.space_used_size }));
  const out: MemoryBreakdown = {
    rss: usage.rss,
    peakRss: process.resourceUsage().maxRSS * 1024,
    heapReserved: usage.heapTotal,
    heapUsed: usage.heapUsed,
    spaces,
    external: usage.external,
    arrayBuffers: usage.arrayBuffers,
  };
  return { ...out, ...nativeBreakdown("self", process.execPath) };
}

/**
 * The malloc arenas' and the binary's resident bytes of a process (`self` or a pid), from /proc/<pid>/smaps; empty
 * off Linux. `execPath` is its executable, whose mapped pages count as the binary's.
 */
export function nativeBreakdown(
  pid: "self" | number,
  execPath: string,
): Pick<MemoryBreakdown, "mallocArenas" | "binary"> {
  let smaps: string;
  try {
    smaps = readFileSync(`/proc/${pid}/smaps`, "utf8");
  } catch {
    return {};
  }
  const arenas = { main: 0, threads: 0, count: 0 };
  let binary = 0;
  let mapping: { start: number; anonymous: boolean; heap: boolean; binary: boolean } | undefined;
  for (const line of smaps.split("\n")) {
    const head = /^([0-9a-f]+)-[0-9a-f]+ \S+ \S+ \S+ (\d+)\s*(.*)$/.exec(line);
    if (head) {
      const [, start = "0", inode = "0", name = ""] = head;
      mapping = {
        start: parseInt(start, 16),
        anonymous: inode === "0" && name === "",
        heap: name === "[heap]",
        binary: name === execPath,
      };
      continue;
    }
    const rss = /^Rss:\s+(\d+) kB/.exec(line);
    if (!rss || !mapping) continue;
    const bytes = Number(rss[1]) * 1024;
    if (mapping.heap) arenas.main += bytes;
    else if (mapping.binary) binary += bytes;
    else if (mapping.anonymous && mapping.start % ARENA_ALIGNMENT === 0 && bytes > 0) {
      arenas.threads += bytes;
      arenas.count++;
    }
  }
  return { mallocArenas: arenas, binary };
}

const mib = (bytes: number) => `${(bytes / MiB).toFixed(0)} MiB`;

/** One paragraph: RSS, the heap by space, outside the heap, the arenas and the rest. */
export function describeBreakdown(m: MemoryBreakdown): string {
  const spaces = m.spaces.map((s) => `${s.name} ${mib(s.reserved)} (${mib(s.used)} used)`).join(", ");
  const parts = [
    `RSS ${mib(m.rss)} (peak so far ${mib(m.peakRss)})`,
    `V8 heap reserved ${mib(m.heapReserved)}, used ${mib(m.heapUsed)} [${spaces}]`,
    `external ${mib(m.external)} (ArrayBuffers ${mib(m.arrayBuffers)})`,
  ];
  if (m.mallocArenas) {
    const { main, threads, count } = m.mallocArenas;
    parts.push(`malloc arenas: main ${mib(main)}, ${count} of other threads ${mib(threads)}`);
  }
  if (m.binary !== undefined) parts.push(`the node binary's pages ${mib(m.binary)}`);
  // External memory is malloc's: inside the arenas, or in mappings of its own when large (then in "other").
  const known = m.heapReserved + (m.mallocArenas?.main ?? 0) + (m.mallocArenas?.threads ?? 0) + (m.binary ?? 0);
  // Reserved is not resident: a young generation grown to 128 MiB is mostly untouched pages.
  const other = m.rss - known;
  parts.push(other >= 0 ? `other ${mib(other)}` : `${mib(-other)} of the reserved heap not resident`);
  return parts.join("; ");
}
