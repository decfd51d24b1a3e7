// `poolkeeper demo` started plainly runs with the demo's heap limit and young generation; a user's NODE_OPTIONS or
// heap flag wins. Observed in a real process (bin/poolkeeper.js): the demo prints the V8 heap limit it runs under,
// before anything can fail — here its start fails at once on a kubectl that does not exist. The expected limits come
// from V8 itself: a Node started with the same flags by hand.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { DEMO_MAX_OLD_SPACE_MB, DEMO_MAX_SEMI_SPACE_MB, demoRelaunch } from "../../../cli/demo/heap-settings.ts";
import { projectRoot } from "../../support/fixtures.ts";

const MiB = 1024 * 1024;

/** What V8 reports as its heap limit in a Node started with these flags. */
function heapLimitWith(flags: string[]): number {
  const result = spawnSync(
    process.execPath,
    [...flags, "-p", "require('node:v8').getHeapStatistics().heap_size_limit"],
    {
      encoding: "utf8",
    },
  );
  assert.equal(result.status, 0, result.stderr);
  return Math.round(Number(result.stdout) / MiB);
}

/** `poolkeeper demo` in a process of its own, stopped at its start by a missing kubectl: the heap limit it printed. */
function demoHeapLimit(env: NodeJS.ProcessEnv, nodeFlags: string[] = []): number {
  const dir = mkdtempSync(join(tmpdir(), "poolkeeper-demo-heap-"));
  try {
    const result = spawnSync(
      process.execPath,
      [...nodeFlags, join(projectRoot, "bin", "poolkeeper.js"), "demo", "--dir", dir],
      { cwd: projectRoot, env: { ...env, POOLKEEPER_KUBECTL: join(dir, "no-kubectl") }, encoding: "utf8" },
    );
    assert.equal(result.status, 2, `the start fails on the missing kubectl: ${result.stderr}`);
    assert.match(result.stderr, /cannot start: POOLKEEPER_KUBECTL=.*no such file/);
    const printed = /V8 heap limit (\d+) MB/.exec(result.stdout);
    assert.ok(printed, `the demo prints its heap limit: ${result.stdout}`);
    return Number(printed[1]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function withoutNodeOptions(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  delete env.NODE_OPTIONS;
  return env;
}

test("a plain `poolkeeper demo` runs under the demo's heap limit and young generation", () => {
  const expected = heapLimitWith([
    `--max-old-space-size=${DEMO_MAX_OLD_SPACE_MB}`,
    `--max-semi-space-size=${DEMO_MAX_SEMI_SPACE_MB}`,
  ]);
  assert.ok(expected < heapLimitWith([]), "the demo's limit is below Node's default");
  assert.equal(demoHeapLimit(withoutNodeOptions()), expected);
});

test("the user's NODE_OPTIONS, or a heap flag given to Node, wins over the demo's", () => {
  const users = ["--max-old-space-size=700"];
  const expected = heapLimitWith(users);
  assert.equal(demoHeapLimit({ ...withoutNodeOptions(), NODE_OPTIONS: users.join(" ") }), expected);
  assert.equal(demoHeapLimit(withoutNodeOptions(), users), expected);
});

test("only the demo is started again, with malloc's arenas and thresholds set where the user has not", () => {
  const env = { PATH: "/bin" };
  assert.equal(demoRelaunch(["check", "demo.yaml"], env, []), undefined);
  assert.equal(demoRelaunch(["demo"], { ...env, NODE_OPTIONS: "--trace-gc" }, []), undefined);
  assert.equal(demoRelaunch(["demo"], env, ["--max-semi-space-size=16"]), undefined);
  assert.deepEqual(demoRelaunch(["demo", "--keep-running"], env, ["--expose-gc"]), {
    execArgv: [
      "--expose-gc",
      `--max-old-space-size=${DEMO_MAX_OLD_SPACE_MB}`,
      `--max-semi-space-size=${DEMO_MAX_SEMI_SPACE_MB}`,
    ],
    env: { PATH: "/bin", MALLOC_ARENA_MAX: "2", MALLOC_TRIM_THRESHOLD_: "131072", MALLOC_MMAP_THRESHOLD_: "131072" },
  });
  assert.equal(demoRelaunch(["demo"], { ...env, MALLOC_ARENA_MAX: "8" }, [])?.env.MALLOC_ARENA_MAX, "8");
});
