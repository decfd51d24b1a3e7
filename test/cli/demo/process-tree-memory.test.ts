// The demo's peak RSS counts its children (kubectl, git) beside its own: a child that holds 64 MiB is in the peak.
// The child's own peak comes from its getrusage (process.resourceUsage().maxRSS), not from /proc as the code reads it.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { once } from "node:events";
import { test } from "node:test";
import { ProcessTreeMemory } from "../../../cli/demo/process-tree-memory.ts";

test("the peak counts a live child's memory beside this process's", async () => {
  const memory = new ProcessTreeMemory();
  const child = spawn(
    process.execPath,
    [
      "-e",
      "const held = Buffer.alloc(64 << 20, 1); console.log(process.resourceUsage().maxRSS, held.length); process.stdin.resume()",
    ],
    { stdio: ["pipe", "pipe", "inherit"] },
  );
  try {
    const [line] = (await once(child.stdout, "data")) as [Buffer];
    const childPeak = Number(line.toString().split(" ")[0]) * 1024;
    assert.ok(childPeak > 64 * 1024 * 1024, `the child holds its 64 MiB: ${childPeak}`);
    const own = process.memoryUsage().rss;
    memory.sample();
    const { peakBytes, sawChildren } = memory.stop();
    assert.ok(sawChildren, "the child was seen");
    // This process's resident size moves a little between the two readings: 90 % of it is a safe floor.
    assert.ok(peakBytes >= childPeak + 0.9 * own, `peak ${peakBytes} counts the child's ${childPeak} and ours ${own}`);
  } finally {
    child.kill();
    await once(child, "exit");
  }
});

test("without children the peak is this process's own, at least its getrusage peak", () => {
  const memory = new ProcessTreeMemory();
  memory.sample();
  const { peakBytes, sawChildren } = memory.stop();
  assert.equal(sawChildren, false);
  const own = process.resourceUsage().maxRSS * 1024;
  // /proc's VmRSS and getrusage's peak are counted a little apart by the kernel: within 5 %.
  assert.ok(peakBytes >= own && peakBytes <= own * 1.05, `peak ${peakBytes}, getrusage ${own}`);
});
