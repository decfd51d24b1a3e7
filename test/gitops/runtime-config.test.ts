// The config a controller starts with: the head's, or — when the head's is broken — its newest valid ancestor's.
// Each test builds its own repository, so none depends on what another did or on their order.
import assert from "node:assert/strict";
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it, type TestContext } from "node:test";
import { CONFIG_SEARCH_DEPTH, runtimeConfigAt } from "../../gitops/runtime-config.ts";
import { CLONE_DEPTH, openSource } from "../../gitops/source.ts";
import { gitCli, poolRepoFixture } from "../support/pool-repo.ts";

/** A new local repository whose one commit ("good config") is the fixture: a valid poolkeeper.yaml. */
async function goodRepository(t: TestContext): Promise<{ work: string; good: string }> {
  const work = mkdtempSync(join(tmpdir(), "poolkeeper-runtime-config-"));
  t.after(() => rmSync(work, { recursive: true, force: true }));
  cpSync(poolRepoFixture, work, { recursive: true });
  await gitCli(work, "init", "--quiet", "--initial-branch=main");
  await gitCli(work, "add", "-A");
  await gitCli(work, "commit", "--quiet", "-m", "good config");
  return { work, good: await gitCli(work, "rev-parse", "HEAD") };
}

const headOf = async (work: string) => {
  const source = openSource({ url: work, branch: "main", cacheDir: "unused" });
  return { source, head: (await source.fetch()).sha };
};

describe("runtimeConfigAt (local repository)", () => {
  it("searches no further back than the initial clone reaches", () => {
    // A clone shallower than the search would end it at the shallow boundary, with a missing commit.
    assert.ok(CLONE_DEPTH >= CONFIG_SEARCH_DEPTH, `clone depth ${CLONE_DEPTH}, search depth ${CONFIG_SEARCH_DEPTH}`);
  });

  it("uses the head's config when it is valid", async (t) => {
    const { work } = await goodRepository(t);
    const { source, head } = await headOf(work);
    const runtime = await runtimeConfigAt(source, head);
    assert.equal(runtime.sha, head);
    assert.equal(runtime.config?.cluster, "prod");
    assert.deepEqual(runtime.problems, []);
  });

  it("falls back to the newest valid ancestor and reports the head's problems", async (t) => {
    const { work, good } = await goodRepository(t);
    const text = readFileSync(join(work, "poolkeeper.yaml"), "utf8");
    writeFileSync(join(work, "poolkeeper.yaml"), text.replace("cluster: prod", "cluster: Prod_1"));
    await gitCli(work, "commit", "--quiet", "-am", "broken config");
    const { source, head } = await headOf(work);
    const runtime = await runtimeConfigAt(source, head);
    assert.equal(runtime.sha, good);
    assert.equal(runtime.config?.cluster, "prod");
    assert.equal(runtime.problems.length, 1);
    assert.match(runtime.problems[0] ?? "", /^poolkeeper\.yaml:4:3: spec\.cluster must be a DNS label/);

    await gitCli(work, "rm", "--quiet", "poolkeeper.yaml");
    await gitCli(work, "commit", "--quiet", "-m", "no config");
    const missing = await headOf(work);
    const again = await runtimeConfigAt(missing.source, missing.head);
    assert.equal(again.sha, good);
    assert.deepEqual(again.problems, ["poolkeeper.yaml:1:1: poolkeeper.yaml is missing at the repository root"]);
  });
});
