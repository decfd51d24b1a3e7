// The config a controller starts with: the head's, or — when the head's is broken — its newest valid ancestor's.
import assert from "node:assert/strict";
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { runtimeConfigAt } from "../../gitops/runtime-config.ts";
import { openSource } from "../../gitops/source.ts";
import { gitCli, poolRepoFixture } from "../support/pool-repo.ts";

describe("runtimeConfigAt (local repository)", () => {
  let work: string;
  before(async () => {
    work = mkdtempSync(join(tmpdir(), "poolkeeper-runtime-config-"));
    cpSync(poolRepoFixture, work, { recursive: true });
    await gitCli(work, "init", "--quiet", "--initial-branch=main");
    await gitCli(work, "add", "-A");
    await gitCli(work, "commit", "--quiet", "-m", "good config");
  });
  after(() => rmSync(work, { recursive: true, force: true }));

  const headOf = async () => {
    const source = openSource({ url: work, branch: "main", cacheDir: "unused" });
    return { source, head: (await source.fetch()).sha };
  };

  it("uses the head's config when it is valid", async () => {
    const { source, head } = await headOf();
    const runtime = await runtimeConfigAt(source, head);
    assert.equal(runtime.sha, head);
    assert.equal(runtime.config?.cluster, "prod");
    assert.deepEqual(runtime.problems, []);
  });

  it("falls back to the newest valid ancestor and reports the head's problems", async () => {
    const good = await gitCli(work, "rev-parse", "HEAD");
    const text = readFileSync(join(work, "poolkeeper.yaml"), "utf8");
    writeFileSync(join(work, "poolkeeper.yaml"), text.replace("cluster: prod", "cluster: Prod_1"));
    await gitCli(work, "commit", "--quiet", "-am", "broken config");
    const { source, head } = await headOf();
    const runtime = await runtimeConfigAt(source, head);
    assert.equal(runtime.sha, good);
    assert.equal(runtime.config?.cluster, "prod");
    assert.equal(runtime.problems.length, 1);
    assert.match(runtime.problems[0] ?? "", /^poolkeeper\.yaml:4:3: spec\.cluster must be a DNS label/);

    await gitCli(work, "rm", "--quiet", "poolkeeper.yaml");
    await gitCli(work, "commit", "--quiet", "-m", "no config");
    const missing = await headOf();
    const again = await runtimeConfigAt(missing.source, missing.head);
    assert.equal(again.sha, good);
    assert.deepEqual(again.problems, ["poolkeeper.yaml:1:1: poolkeeper.yaml is missing at the repository root"]);
  });
});
