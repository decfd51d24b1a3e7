// The demo's one process (the world, the webhook and `run`) has a live heap well under its default V8 limit (about
// 4 GiB here), and V8 sizes its collections by that limit: during the 300-pod scale-out garbage piled up to twice the
// live data before a major collection ran (docs/performance.md, `poolkeeper demo`). The demo knows its own live peak,
// so it starts with a heap limit above it and a small young generation, and with glibc's malloc limited to two
// arenas (each thread's arena otherwise keeps its freed pages) and its thresholds fixed at their defaults of 128 KiB
// (mallopt(3): once a large block is freed, glibc raises its mmap threshold up to 32 MiB and keeps up to twice that
// untrimmed at the top of the heap; fixed, large blocks are mapped and returned, about 30 MB less at the peak). V8 reads these limits only when the process starts —
// `v8.setFlagsFromString("--max-old-space-size=…")` later leaves `heap_size_limit` unchanged (measured on Node 24) —
// so bin/poolkeeper.js starts the demo again with them (`process.execve`, the process replaced, not a child left).
// The user's own settings win: nothing is changed when NODE_OPTIONS is set or Node was given a heap flag.

/** Above the demo's live peak after a full collection (docs/performance.md), with room for a step's working set. */
export const DEMO_MAX_OLD_SPACE_MB = 288;
/** V8's young generation per semi-space: 4 MB instead of up to 32, as a memory-bound server would set it. */
export const DEMO_MAX_SEMI_SPACE_MB = 4;
/** glibc's malloc tuning through its environment variables, each only where the user has not set it. */
export const DEMO_MALLOC_ENV: Readonly<Record<string, string>> = {
  MALLOC_ARENA_MAX: "2",
  MALLOC_TRIM_THRESHOLD_: "131072",
  MALLOC_MMAP_THRESHOLD_: "131072",
};

const HEAP_FLAGS = /^--max-(old|semi)-space-size(=|$)/;

export interface DemoRelaunch {
  /** Node's own options, the process's first, then the heap's. */
  execArgv: string[];
  env: NodeJS.ProcessEnv;
}

/**
 * How `poolkeeper <argv>` should be started again with the demo's heap settings, or undefined to go on as it is: not
 * the demo, NODE_OPTIONS set (the user's), or a heap flag already given (the user's, or this relaunch's own).
 */
export function demoRelaunch(
  argv: readonly string[],
  env: NodeJS.ProcessEnv,
  execArgv: readonly string[],
): DemoRelaunch | undefined {
  // The command is the first word that is not an option, as cli/main.ts's needsServerOptions reads it.
  if (argv.find((arg) => !arg.startsWith("-")) !== "demo") return undefined;
  if ((env.NODE_OPTIONS ?? "").trim() !== "") return undefined;
  if (execArgv.some((arg) => HEAP_FLAGS.test(arg))) return undefined;
  return {
    execArgv: [
      ...execArgv,
      `--max-old-space-size=${DEMO_MAX_OLD_SPACE_MB}`,
      `--max-semi-space-size=${DEMO_MAX_SEMI_SPACE_MB}`,
    ],
    env: { ...DEMO_MALLOC_ENV, ...env },
  };
}
