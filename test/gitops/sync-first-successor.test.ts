// The first sync after a start judges only what its commit changed: the first judgement had no last good state
// (every object a creation), and the syncer judges that state once more as its own successor between syncs
// (gitops/sync.ts, `#judgeAsSuccessor`), so the next commit finds its unchanged objects judged as such. The oracle
// is a later sync of the same kind: a one-file commit in the steady state, which never had a first judgement behind
// it. Over a local repository (read in place), driven with the git CLI.
import assert from "node:assert/strict";
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { systemClock } from "../../api/ports.ts";
import { openSource } from "../../gitops/source.ts";
import { Syncer } from "../../gitops/sync.ts";
import { silentLogger } from "../../runtime/index.ts";
import { gitCli, poolRepoFixture } from "../support/pool-repo.ts";

const POOLS = 12;

/** The fixture's NodePool (the file's first document) under another name and CPU limit. */
function poolText(name: string, cpu: number): string {
  const [pool = ""] = readFileSync(join(poolRepoFixture, "pools", "default.yaml"), "utf8").split(/^---$/m);
  return pool.replace(/^ {2}name: default$/m, `  name: ${name}`).replace(/cpu: "\d+"/, `cpu: "${cpu}"`);
}

describe("the first sync after a start", () => {
  let work: string;
  const commit = async (files: Record<string, string>) => {
    for (const [path, text] of Object.entries(files)) writeFileSync(join(work, path), text);
    await gitCli(work, "add", "-A");
    await gitCli(work, "commit", "--quiet", "-m", "pools");
    return gitCli(work, "rev-parse", "HEAD");
  };

  before(async () => {
    work = mkdtempSync(join(tmpdir(), "poolkeeper-first-successor-"));
    cpSync(poolRepoFixture, work, { recursive: true });
    await gitCli(work, "init", "--quiet", "--initial-branch=main");
    const pools: Record<string, string> = {};
    for (let i = 0; i < POOLS; i++) pools[`pools/pool-${i}.yaml`] = poolText(`pool-${i}`, 100 + i);
    await commit(pools);
  });
  after(() => rmSync(work, { recursive: true, force: true }));

  it("judges what its commit changed, no more objects than a later one-file commit", async () => {
    const syncer = new Syncer({
      source: openSource({ url: work, branch: "main", cacheDir: join(work, "unused") }),
      cluster: "prod",
      clock: systemClock,
      logger: silentLogger(),
    });
    try {
      const objects = POOLS + 2; // the fixture's NodePool and EC2NodeClass besides
      const first = await syncer.sync();
      assert.equal(first.outcome, "accepted", first.judgement?.reason);
      assert.equal(syncer.judgedObjects.judged, objects, "the initial sync judges every object");
      await syncer.idle();
      const primed = syncer.judgedObjects.judged;
      assert.equal(primed, 2 * objects, "between syncs, every object again, as its own successor");

      /** Commits a new CPU limit for one pool, syncs, and answers how many objects that sync judged. */
      const judgedAfterChange = async (pool: number, cpu: number) => {
        const sha = await commit({ [`pools/pool-${pool}.yaml`]: poolText(`pool-${pool}`, cpu) });
        const before = syncer.judgedObjects.judged;
        const result = await syncer.sync();
        assert.equal(result.sha, sha);
        assert.equal(result.outcome, "accepted", result.judgement?.reason);
        await syncer.idle();
        return syncer.judgedObjects.judged - before;
      };
      const firstIncremental = await judgedAfterChange(3, 500);
      await judgedAfterChange(5, 600); // the pool changed before is judged once more, against its new version
      const steady = await judgedAfterChange(7, 700);
      assert.ok(steady < objects, `a one-file commit in the steady state re-judges ${steady} of ${objects}`);
      assert.ok(
        firstIncremental <= steady,
        `the first incremental sync judged ${firstIncremental}, a later one ${steady}`,
      );
    } finally {
      await syncer.close();
    }
  });
});
