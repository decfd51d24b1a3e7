// isomorphic-git's cache, measured: the packs' bytes are counted as the files git wrote, objects read through it
// read as `git cat-file` prints them, and long delta chains leave nothing resolved behind (what git-object-cache.ts
// relies on not to bound it). The tree reader keeps its caches within the budget it is given.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import fs, { mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import git from "isomorphic-git";
import { GitObjectCache } from "../../gitops/git-object-cache.ts";
import { TreeReader } from "../../gitops/tree-reader.ts";
import { defaultYamlLimits } from "../../api/index.ts";
import { cacheBounds } from "../../gitops/cache-bounds.ts";

const maxFileBytes = defaultYamlLimits.maxBytes;

const run = (cwd: string, ...args: string[]) =>
  execFileSync("git", ["-c", "user.name=t", "-c", "user.email=t@e", ...args], {
    cwd,
    encoding: "utf8",
    maxBuffer: 64 * 1024 * 1024,
  }).trim();

describe("GitObjectCache", () => {
  let work: string;
  let gitdir: string;
  /** Every version of the pool file, oldest first: blob ids by `git rev-list` and their text by `git cat-file`. */
  let versions: { oid: string; text: string }[];
  before(() => {
    work = mkdtempSync(join(tmpdir(), "poolkeeper-git-object-cache-"));
    gitdir = join(work, ".git");
    run(work, "init", "--quiet", "--initial-branch=main");
    // One file changed commit after commit, each version the one before with ten more lines rewritten: a repack
    // stores the versions as one long chain of deltas (git verify-pack -v: chain lengths 1 to 39).
    for (let i = 0; i < 40; i++) {
      const lines = Array.from({ length: 400 }, (_, j) =>
        j < i * 10 ? `${j}: changed in revision ${Math.floor(j / 10)} of the pool file` : `${j}: ${"x".repeat(22)}`,
      );
      writeFileSync(join(work, "pool.yaml"), `${lines.join("\n")}\n`);
      run(work, "add", "-A");
      run(work, "commit", "--quiet", "-m", `revision ${i}`);
    }
    run(work, "repack", "-a", "-d", "-f", "-q", "--depth=50", "--window=250");
    versions = run(work, "rev-list", "main")
      .split("\n")
      .reverse()
      .map((commit) => {
        const oid = run(work, "rev-parse", `${commit}:pool.yaml`);
        return { oid, text: run(work, "cat-file", "blob", oid) + "\n" };
      });
  });
  after(() => rmSync(work, { recursive: true, force: true }));

  const readAll = async (cache: GitObjectCache) => {
    for (const { oid, text } of versions) {
      const { blob } = await git.readBlob({ fs, gitdir, oid, cache: cache.cache });
      assert.equal(Buffer.from(blob).toString("utf8"), text, oid);
    }
  };

  it("counts the packs as the files git wrote, and forgets them when cleared", async () => {
    const cache = new GitObjectCache();
    await readAll(cache);
    const packDir = join(gitdir, "objects", "pack");
    const packBytes = readdirSync(packDir)
      .filter((name) => name.endsWith(".pack"))
      .reduce((sum, name) => sum + statSync(join(packDir, name)).size, 0);
    const bytes = await cache.bytes();
    assert.ok(bytes >= packBytes && bytes < packBytes + 100_000, `${bytes} counted for ${packBytes} bytes of packs`);
    cache.clear();
    assert.equal(await cache.bytes(), 0);
    await readAll(cache);
  });

  it("holds no resolved deltas, even after chains of 39 (isomorphic-git's offsetCache stays empty)", async () => {
    const cache = new GitObjectCache();
    await readAll(cache);
    const indexes = Object.getOwnPropertySymbols(cache.cache).flatMap((key) => {
      const value: unknown = Reflect.get(cache.cache, key);
      return value instanceof Map ? [...value.values()] : [];
    });
    assert.equal(indexes.length, 1);
    const index = (await indexes[0]) as { offsetCache: Record<string, unknown> };
    assert.deepEqual(Object.keys(index.offsetCache), []);
  });

  it("keeps the tree reader's caches within the budget it is given", async () => {
    // Each commit's file is read; a budget of 64 KiB keeps a few of the 40 versions' texts.
    const budget = 64 * 1024;
    const reader = new TreeReader({ cacheBytes: budget, maxFileBytes });
    const commits = run(work, "rev-list", "main").split("\n").reverse();
    for (const sha of commits) {
      const [file] = await reader.read(gitdir, sha, ["pool.yaml"]);
      assert.equal(file?.text, versions[commits.indexOf(sha)]?.text);
      const sizes = await reader.cacheSizes();
      const bounds = cacheBounds(budget);
      assert.ok(sizes.blobs <= bounds.blobs, `${sizes.blobs} bytes of blobs over ${bounds.blobs}`);
      assert.ok(sizes.trees <= bounds.trees, `${sizes.trees} bytes of trees over ${bounds.trees}`);
    }
    assert.ok((await reader.cacheSizes()).blobs > 0);
  });

  it("keeps only what the last two reads used: the head's files and trees and the previous head's", async () => {
    const reader = new TreeReader({ maxFileBytes });
    const commits = run(work, "rev-list", "main").split("\n").reverse();
    for (const [i, sha] of commits.entries()) {
      await reader.read(gitdir, sha, ["pool.yaml"]);
      if (i === 0) continue;
      // The texts as git cat-file printed them (ASCII: a byte per character).
      const expected = (versions[i - 1]?.text.length ?? 0) + (versions[i]?.text.length ?? 0);
      const sizes = await reader.cacheSizes();
      assert.equal(sizes.blobs, expected, `blobs after reading commit ${i}`);
      // The same two reads on a reader of their own: nothing older is left in the trees.
      const fresh = new TreeReader({ maxFileBytes });
      for (const commit of commits.slice(i - 1, i + 1)) await fresh.read(gitdir, commit, ["pool.yaml"]);
      assert.equal(sizes.trees, (await fresh.cacheSizes()).trees, `trees after reading commit ${i}`);
    }
  });

  it("drops isomorphic-git's packs after a read when they are over their share of the budget", async () => {
    const commits = run(work, "rev-list", "main").split("\n").reverse();
    // What they hold after a read (the pack and its index, counted as the test above checks), then a budget whose
    // pack share is just below that and one just above.
    const probe = new TreeReader({ maxFileBytes });
    await probe.read(gitdir, commits[0] ?? "", ["pool.yaml"]);
    const held = (await probe.cacheSizes()).packs;
    assert.ok(held > 0);
    for (const [budget, kept] of [
      [((held - 1) * 8) / 3, false],
      [((held + 1) * 8) / 3, true],
    ] as const) {
      const reader = new TreeReader({ cacheBytes: budget, maxFileBytes });
      for (const [i, sha] of commits.entries()) {
        const [file] = await reader.read(gitdir, sha, ["pool.yaml"]);
        assert.equal(file?.text, versions[i]?.text);
        const packs = (await reader.cacheSizes()).packs;
        assert.equal(packs > 0, kept, `${packs} bytes of packs held with a budget of ${budget}`);
      }
    }
  });
});
