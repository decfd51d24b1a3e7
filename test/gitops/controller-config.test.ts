// poolkeeper.yaml's spec.controller (the settings `poolkeeper run` takes from the repository): kept with the
// position of each key; a bad value, an unknown key or a duration that does not parse is an error at its
// file:line:col, as every other field of the file.
import assert from "node:assert/strict";
import { test } from "node:test";
import { loadConfig } from "../../gitops/index.ts";

const FILE = "poolkeeper.yaml";
const HEAD = "apiVersion: poolkeeper.dev/v1alpha1\nkind: PoolkeeperConfig\nspec:\n  cluster: eu-1\n  controller:\n";

function errorsOf(lines: string): string[] {
  return loadConfig(HEAD + lines, FILE).errors.map(
    (e) => `${e.source.file}:${e.source.line}:${e.source.col}: ${e.message}`,
  );
}

test("the section's values are kept with where each was written", () => {
  const { config, errors } = loadConfig(
    HEAD +
      "    interruptionQueue: eu-1-interruptions\n    dryRun: true\n    batchIdleDuration: 2s\n    leaseDuration: 1m\n",
    FILE,
  );
  assert.deepEqual(errors, []);
  assert.deepEqual(config?.controller, {
    interruptionQueue: "eu-1-interruptions",
    dryRun: true,
    durations: { batchIdleDuration: { text: "2s", ms: 2_000 }, leaseDuration: { text: "1m", ms: 60_000 } },
    positions: {
      interruptionQueue: { file: FILE, line: 6, col: 5 },
      dryRun: { file: FILE, line: 7, col: 5 },
      batchIdleDuration: { file: FILE, line: 8, col: 5 },
      leaseDuration: { file: FILE, line: 9, col: 5 },
    },
  });
});

test("bad values are errors at their file:line:col", () => {
  assert.deepEqual(errorsOf("    dryRun: maybe\n    retryPeriod: soon\n    leaseDuratoin: 15s\n"), [
    `${FILE}:6:5: spec.controller.dryRun must be boolean`,
    `${FILE}:7:5: spec.controller.retryPeriod: invalid duration "soon": expected a Go duration such as "300ms", "1.5h" or "2h45m" (units ns, us, µs, ms, s, m, h)`,
    `${FILE}:8:5: unknown field "spec.controller.leaseDuratoin" (did you mean "leaseDuration"?)`,
  ]);
  assert.deepEqual(errorsOf("    batchMaxDuration: -1s\n"), [
    `${FILE}:6:5: spec.controller.batchMaxDuration must not be negative (found "-1s")`,
  ]);
});
