// A commit with many pools was judged in one synchronous run: while the gate evaluated every object, `sync`
// answered nothing — not the kubelet's /healthz (a thousand large pools took long enough to fail a liveness probe
// and restart the controller mid-judgement), not a push delivery. The gate now judges stepwise and `sync` runs it in
// slices. Checked by order, not time: a health request sent once the commit's files are read — when only judging
// is left — is answered before the judgement is done. Slices of 0 ms, so the gate pauses after every step and
// the outcome does not depend on how fast this machine judges.
import { test } from "node:test";
import assert from "node:assert/strict";
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Registry } from "prom-client";
import { systemClock } from "../../api/ports.ts";
import { createHookServer } from "../../gitops/hook-server.ts";
import { openSource } from "../../gitops/source.ts";
import { Syncer } from "../../gitops/sync.ts";
import { guardAgainstHang } from "../support/hang-guard.ts";
import { openHealthProbe } from "../support/health-probe.ts";
import { captureLog } from "../support/log-capture.ts";
import { gitCli, poolRepoFixture } from "../support/pool-repo.ts";

const POOLS = 300;

test("sync answers /healthz while it judges a commit of many pools", async () => {
  const dir = mkdtempSync(join(tmpdir(), "poolkeeper-gate-slices-"));
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
  try {
    cpSync(poolRepoFixture, repo, { recursive: true });
    const pool = readFileSync(join(repo, "pools", "default.yaml"), "utf8").split(/^---$/m)[0] ?? "";
    for (let i = 0; i < POOLS; i++) {
      writeFileSync(join(repo, "pools", `pool-${i}.yaml`), pool.replace("name: default\n", `name: pool-${i}\n`));
    }
    await gitCli(repo, "init", "--quiet", "--initial-branch=main");
    await gitCli(repo, "add", "-A");
    await gitCli(repo, "commit", "--quiet", "-m", `pools: ${POOLS} more`);

    const { port } = await hook.listen(0, "127.0.0.1");
    const health = await openHealthProbe(port);
    const order = health.order;

    const inner = openSource({ url: repo, branch: "main", cacheDir: join(dir, "cache") });
    const source = health.probingSource(inner);
    const syncer = new Syncer({
      source,
      cluster: "prod",
      clock: systemClock,
      logger: log.logger,
      judgeSliceMs: 0,
    });
    const result = await guardAgainstHang(syncer.sync(), "the sync");
    order.push("commit judged");
    await health.answered();

    assert.equal(result.outcome, "accepted", result.judgement?.reason);
    assert.equal(result.desiredState?.nodePools.length, POOLS + 1);
    assert.deepEqual(order, ["files read", "health answered", "commit judged"]);
  } finally {
    await hook.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
