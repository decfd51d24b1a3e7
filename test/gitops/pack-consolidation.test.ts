// Merging the packs that incremental fetches leave behind: fewer packs, every object still there (checked by
// reading every commit through the source and by `git fsck` on the clone), in generations whose merges each read a
// bounded number of packs, and off the sync path (counted: merges started, packs on disk; never timed).
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { consolidateInChildProcess, mergeInChildProcess } from "../../gitops/git-process.ts";
import { consolidatePacks, listPacks, packIndexOids } from "../../gitops/pack-consolidation.ts";
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

  it("merges the packs of many fetches into one, keeping every object, and leaves the clone's pack alone", async () => {
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
    const [clonePack] = packs(cache, ".pack");
    assert.equal(packs(cache, ".keep").length, 1, "the clone's pack is kept");
    for (let i = 0; i < 6; i++) {
      await repo.commit(`cpu ${i}`, { "pools/default.yaml": poolWithCpuLimit(repo, 100 + i) });
      await repo.push();
      shas.push((await source.fetch()).sha);
    }
    assert.equal(packs(cache, ".pack").length, 7, "the clone's pack and one per fetch");
    const merged = await consolidatePacks(cache, { minPacks: 4, smallPackBytes: 1024 * 1024 });
    assert.equal(merged, 6, "the six fetches' packs, not the clone's");
    assert.equal(packs(cache, ".pack").length, 2);
    assert.equal(packs(cache, ".idx").length, 2);
    assert.ok(packs(cache, ".pack").includes(clonePack ?? ""), "the clone's pack is not rewritten");
    assert.deepEqual(
      listPacks(cache)
        .map((p) => p.level)
        .sort(),
      [1, undefined],
    );
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

  it("merges in generations: each merge reads minPacks packs of one level, and the packs stay few", async () => {
    const repo = await createPoolRepo(server, "levels", tmp, AUTH);
    const cache = join(tmp, "cache-levels");
    const minPacks = 2;
    const supersededByMerge: string[][] = [];
    const source = openSource({
      url: repo.url,
      branch: "main",
      cacheDir: cache,
      credentials: AUTH,
      consolidation: { minPacks, smallPackBytes: 1024 * 1024 },
      mergePacks: async (dir, options) => {
        const levels = new Map(listPacks(dir).map((p) => [p.name, p.level]));
        const superseded = await mergeInChildProcess(dir, options);
        supersededByMerge.push(superseded.map((name) => `${name}@${levels.get(name)}`));
        return superseded;
      },
    });
    const shas = [(await source.fetch()).sha];
    const [clonePack] = packs(cache, ".pack");
    const fetches = 10;
    const counts: number[] = [];
    for (let i = 0; i < fetches; i++) {
      await repo.commit(`cpu ${i}`, { "pools/default.yaml": poolWithCpuLimit(repo, 300 + i) });
      await repo.push();
      shas.push((await source.fetch()).sha);
      source.maintain?.();
      await source.settled?.();
      counts.push(packs(cache, ".pack").length);
      assert.ok(packs(cache, ".pack").includes(clonePack ?? ""), `the clone's pack is still there after fetch ${i}`);
    }
    // Every merge took exactly minPacks packs, all of one level, and a level above 1 was reached.
    assert.ok(supersededByMerge.length >= fetches / minPacks, `merges: ${JSON.stringify(supersededByMerge)}`);
    for (const merge of supersededByMerge) {
      assert.equal(merge.length, minPacks, JSON.stringify(merge));
      assert.equal(new Set(merge.map((m) => m.split("@")[1])).size, 1, `one level: ${JSON.stringify(merge)}`);
    }
    assert.ok(Math.max(...listPacks(cache).map((p) => p.level ?? 0)) >= 2, "merged packs are merged again");
    // Without merging there would be one pack per fetch; with it, a few per level beside the clone's.
    assert.ok(Math.max(...counts) <= 1 + minPacks * 3, `packs after each fetch: ${counts.join(", ")}`);
    assert.ok((counts.at(-1) ?? Infinity) < fetches / 2, `packs after each fetch: ${counts.join(", ")}`);
    await gitCli(cache, "fsck", "--strict", "--no-dangling");
    for (const [i, sha] of shas.entries()) {
      const [pool] = await source.readTree(sha, ["pools/default.yaml"]);
      assert.match(pool?.text ?? "", i === 0 ? /cpu: "1000"/ : new RegExp(`cpu: "${300 + i - 1}"`));
    }
  });

  it("merges off the sync path: fetches return while a merge runs, and a failed merge fails no fetch", async () => {
    const repo = await createPoolRepo(server, "background", tmp, AUTH);
    const cache = join(tmp, "cache-background");
    const merges: { dir: string; release: (outcome: "merge" | "fail") => void; done: Promise<string[]> }[] = [];
    const source = openSource({
      url: repo.url,
      branch: "main",
      cacheDir: cache,
      credentials: AUTH,
      consolidation: { minPacks: 3, smallPackBytes: 1024 * 1024 },
      mergePacks: (dir, options) => {
        const { promise, resolve } = Promise.withResolvers<"merge" | "fail">();
        const done = promise.then((outcome) =>
          outcome === "merge" ? mergeInChildProcess(dir, options) : Promise.reject(new Error("merge failed")),
        );
        merges.push({ dir, release: resolve, done });
        return done;
      },
    });
    await source.fetch();
    const push = async (i: number) => {
      await repo.commit(`cpu ${i}`, { "pools/default.yaml": poolWithCpuLimit(repo, 500 + i) });
      await repo.push();
      const result = await source.fetch();
      source.maintain?.(); // as the syncer does once a sync is done
      const [pool] = await source.readTree(result.sha, ["pools/default.yaml"]);
      assert.match(pool?.text ?? "", new RegExp(`cpu: "${500 + i}"`));
      return result;
    };
    for (let i = 0; i < 3; i++) assert.equal((await push(i)).kind, "fast-forward");
    assert.equal(merges.length, 1, "the third fetch's pack made a merge due, started after its sync");
    // Two more syncs while that merge has not even started its work: they do not wait, and start no second one.
    for (let i = 3; i < 5; i++) assert.equal((await push(i)).kind, "fast-forward");
    assert.equal(merges.length, 1);
    assert.equal(packs(cache, ".pack").length, 6, "nothing merged yet: the clone's and five fetches' packs");
    merges[0]?.release("fail");
    await assert.rejects(source.settled?.() ?? Promise.resolve(), /merge failed/);
    assert.equal(packs(cache, ".pack").length, 6, "a failed merge removes nothing");
    assert.equal((await push(5)).kind, "fast-forward", "and the next fetch works");
    assert.equal(merges.length, 2, "the merge is tried again after the next fetch");
    merges[1]?.release("merge");
    assert.equal(await source.settled?.(), 6, "the six fetches' packs merged and removed");
    assert.equal(packs(cache, ".pack").length, 2);
    assert.equal((await push(6)).kind, "fast-forward");
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
