// Merging the packs that incremental fetches leave behind: fewer packs, every object still there (checked by
// reading every commit through the source and by `git fsck` on the clone).
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { consolidateInChildProcess } from "../../gitops/git-process.ts";
import { consolidatePacks, packIndexOids } from "../../gitops/pack-consolidation.ts";
import { openSource } from "../../gitops/source.ts";
import { startGitServer, type GitServer } from "../support/git-server.ts";
import { createPoolRepo, gitCli, poolWithCpuLimit } from "../support/pool-repo.ts";

const AUTH = { username: "bot", password: "pack-Pa55" };
const packs = (cache: string, ext: string) =>
  readdirSync(join(cache, ".git", "objects", "pack")).filter((f) => f.endsWith(ext));

describe("pack consolidation", () => {
  let server: GitServer;
  let tmp: string;
  before(async () => {
    server = await startGitServer({ auth: AUTH });
    tmp = mkdtempSync(join(tmpdir(), "poolkeeper-packs-"));
  });
  after(async () => {
    await server.stop();
    rmSync(tmp, { recursive: true, force: true });
  });

  it("lists a pack index's object ids as git does", async () => {
    const repo = await createPoolRepo(server, "idx", tmp, AUTH);
    await gitCli(repo.work, "repack", "-a", "-d", "-q");
    const dir = join(repo.work, ".git", "objects", "pack");
    const idx = readdirSync(dir).find((f) => f.endsWith(".idx")) ?? "";
    const shown = execFileSync("git", ["show-index"], { input: readFileSync(join(dir, idx)) }).toString();
    assert.deepEqual(
      packIndexOids(readFileSync(join(dir, idx))),
      shown
        .trim()
        .split("\n")
        .map((l) => l.split(" ")[1]),
    );
    assert.ok(shown.trim().split("\n").length > 3);
    assert.throws(() => packIndexOids(new Uint8Array(10)), /not a version-2 pack index/);
  });

  it("merges the packs of many fetches into one, keeping every object", async () => {
    const repo = await createPoolRepo(server, "many", tmp, AUTH);
    const cache = join(tmp, "cache-many");
    // Consolidation off while the packs pile up.
    const source = openSource({
      url: repo.url,
      branch: "main",
      cacheDir: cache,
      credentials: AUTH,
      consolidation: { minPacks: 1_000_000, smallPackBytes: 1 },
    });
    const shas = [(await source.fetch()).sha];
    for (let i = 0; i < 6; i++) {
      await repo.commit(`cpu ${i}`, { "pools/default.yaml": poolWithCpuLimit(repo, 100 + i) });
      await repo.push();
      shas.push((await source.fetch()).sha);
    }
    const before = packs(cache, ".pack").length;
    assert.equal(before, 7, "the clone's pack and one per fetch");
    const merged = await consolidatePacks(cache, { minPacks: 4, smallPackBytes: 1024 * 1024 });
    assert.equal(merged, 7);
    assert.equal(packs(cache, ".pack").length, 1);
    assert.equal(packs(cache, ".idx").length, 1);
    await gitCli(cache, "fsck", "--strict", "--no-dangling");
    // A fresh source on the same cache reads every commit.
    const reopened = openSource({ url: repo.url, branch: "main", cacheDir: cache, credentials: AUTH });
    for (const [i, sha] of shas.entries()) {
      const [pool] = await reopened.readTree(sha, ["pools/default.yaml"]);
      assert.match(pool?.text ?? "", i === 0 ? /cpu: "1000"/ : new RegExp(`cpu: "${100 + i - 1}"`));
    }
    assert.equal(await reopened.descends(shas.at(-1) ?? "", shas[0] ?? ""), true);
    assert.equal(await consolidatePacks(cache, { minPacks: 4, smallPackBytes: 1024 * 1024 }), 0, "nothing left to do");
  });

  it("runs during fetches by default settings passed in, and the source keeps working", async () => {
    const repo = await createPoolRepo(server, "auto", tmp, AUTH);
    const cache = join(tmp, "cache-auto");
    const source = openSource({
      url: repo.url,
      branch: "main",
      cacheDir: cache,
      credentials: AUTH,
      consolidation: { minPacks: 3, smallPackBytes: 1024 * 1024 },
    });
    await source.fetch();
    for (let i = 0; i < 5; i++) {
      await repo.commit(`cpu ${i}`, { "pools/default.yaml": poolWithCpuLimit(repo, 200 + i) });
      await repo.push();
      const { sha } = await source.fetch();
      const [pool] = await source.readTree(sha, ["pools/default.yaml"]);
      assert.match(pool?.text ?? "", new RegExp(`cpu: "${200 + i}"`));
      assert.ok(packs(cache, ".pack").length < 3);
    }
    await gitCli(cache, "fsck", "--strict", "--no-dangling");
  });

  it("merges in a process of its own, which reports a broken pack index as an error", async () => {
    const cache = join(tmp, "cache-broken");
    const packDir = join(cache, ".git", "objects", "pack");
    mkdirSync(packDir, { recursive: true });
    for (let i = 0; i < 3; i++) {
      writeFileSync(join(packDir, `pack-${i}.pack`), "PACK");
      writeFileSync(join(packDir, `pack-${i}.idx`), "not an index");
    }
    const options = { minPacks: 3, smallPackBytes: 1024 };
    await assert.rejects(consolidateInChildProcess(cache, options), /not a version-2 pack index/);
    assert.equal(await consolidateInChildProcess(cache, { ...options, minPacks: 4 }), 0, "too few: nothing done");
    assert.equal(packs(cache, ".pack").length, 3, "nothing removed");
  });
});
