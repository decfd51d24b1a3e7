// One large pool file held `sync`'s event loop for as long as the YAML parser took over it: a 1.2 MiB NodePool of
// 50,000 requirement values kept /healthz waiting 0.6–1.5 s, because a file is one step of the stepwise gate and
// the parse cannot pause. Such a document is now refused before parsing (over the loader's 256 KiB per-object
// bound), and files under the bound but large are parsed in a worker thread before the gate judges
// (gitops/large-files.ts): here one of 8,000 values, about 220 KiB. Checked by order, not time: with the gate's own steps run at once (no slices), a health
// request sent once the commit's files are read can only be answered before the judgement ends if the parse of
// the large file ran elsewhere. And the commit reads the same across the thread boundary: the same findings at
// the same lines and columns, the same verdict, as judged in one thread.
import assert from "node:assert/strict";
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { Registry } from "prom-client";
import { systemClock } from "../../api/ports.ts";
import { judgeCommit, readCommit } from "../../gitops/gate.ts";
import { createHookServer } from "../../gitops/hook-server.ts";
import { LARGE_FILE_BYTES, LargeFileReader } from "../../gitops/large-files.ts";
import { openSource } from "../../gitops/source.ts";
import { Syncer } from "../../gitops/sync.ts";
import { guardAgainstHang } from "../support/hang-guard.ts";
import { openHealthProbe } from "../support/health-probe.ts";
import { captureLog } from "../support/log-capture.ts";
import { gitCli, poolRepoFixture } from "../support/pool-repo.ts";

const VALUES = 8_000;

/** The fixture's NodePool with one requirement of VALUES values, and a misspelt field after them. */
function largePool(): string {
  const pool = readFileSync(join(poolRepoFixture, "pools", "default.yaml"), "utf8").split(/^---$/m)[0] ?? "";
  const values = Array.from({ length: VALUES }, (_, i) => `            - m7i.size-${i}\n`).join("");
  return pool
    .replace("name: default\n", "name: large\n")
    .replace(
      "      expireAfter: 720h\n",
      `        - key: node.kubernetes.io/instance-type\n          operator: In\n          values:\n${values}` +
        "          minValue: 2\n      expireAfter: 720h\n",
    );
}

test("sync answers /healthz while a large pool file is parsed, and judges it as one thread would", async () => {
  const dir = mkdtempSync(join(tmpdir(), "poolkeeper-gate-large-"));
  const repo = join(dir, "repo");
  const log = captureLog({ level: "warn" });
  const hook = createHookServer({
    branch: "main",
    onPush: () => {},
    ready: () => true,
    registry: new Registry(),
    logger: log.logger,
    watch: false,
  });
  const largeFiles = new LargeFileReader();
  try {
    cpSync(poolRepoFixture, repo, { recursive: true });
    const large = largePool();
    assert.ok(large.length > 3 * LARGE_FILE_BYTES, `${large.length} bytes`);
    writeFileSync(join(repo, "pools", "large.yaml"), large);
    await gitCli(repo, "init", "--quiet", "--initial-branch=main");
    await gitCli(repo, "add", "-A");
    await gitCli(repo, "commit", "--quiet", "-m", "pools: one large");

    const { port } = await hook.listen(0, "127.0.0.1");
    const health = await openHealthProbe(port);
    const order = health.order;

    const inner = openSource({ url: repo, branch: "main", cacheDir: join(dir, "cache") });
    const source = health.probingSource(inner);
    // No slices: the gate's steps run at once, so only the parse in another thread lets the probe through.
    const syncer = new Syncer({
      source,
      cluster: "prod",
      clock: systemClock,
      logger: log.logger,
      judgeSliceMs: Number.MAX_SAFE_INTEGER,
      largeFiles,
    });
    const result = await guardAgainstHang(syncer.sync(), "the sync");
    order.push("commit judged");
    await health.answered();
    assert.deepEqual(order, ["files read", "health answered", "commit judged"]);
    assert.equal(largeFiles.parsedOffThread, 1, "the large file, and only it, was parsed in a worker");

    // The same commit judged in this thread alone.
    const files = await readCommit(inner, result.sha ?? "");
    const alone = judgeCommit(files, { now: systemClock.now() });
    const judgement = result.judgement;
    assert.ok(judgement);
    assert.equal(judgement.accepted, false);
    assert.equal(judgement.reason, alone.reason);
    assert.deepEqual(judgement.problems, alone.problems);
    const seen = (findings: typeof alone.findings) =>
      findings.map((f) => [f.rule, f.severity, f.pointer, f.object.source, f.source, f.message]);
    assert.deepEqual(seen(judgement.findings), seen(alone.findings));
    // What the worker's positions point at: the misspelt field, after the 8,000 values.
    const typo = judgement.findings.find((f) => f.message.includes("minValue"));
    assert.deepEqual(
      [typo?.source?.file, typo?.source?.line],
      ["pools/large.yaml", large.split("\n").findIndex((line) => line.includes("minValue: 2")) + 1],
    );
  } finally {
    await largeFiles.close();
    await hook.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
