// The bulk pack reader against the git CLI: every object of packs git wrote — one with offset deltas (`git repack`),
// one with reference deltas (`git pack-objects` without --delta-base-offset) — reads as `git cat-file --batch` prints
// it; objects over the size bound are left out; a damaged pack is refused by name.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { PackReader } from "../../gitops/pack-reader.ts";
import { gitCli } from "../support/pool-repo.ts";

/** `git cat-file --batch` of `oids` in `gitdir`: each object's type and bytes. */
function catFile(gitdir: string, oids: readonly string[]): Map<string, { type: string; data: Buffer }> {
  const out = spawnSync("git", ["--git-dir", gitdir, "cat-file", "--batch"], {
    input: oids.join("\n") + "\n",
    maxBuffer: 64 * 1024 * 1024,
  }).stdout;
  const objects = new Map<string, { type: string; data: Buffer }>();
  let at = 0;
  for (const oid of oids) {
    const eol = out.indexOf(10, at);
    const [, type = "", size = "0"] = out.toString("latin1", at, eol).split(" ");
    objects.set(oid, { type, data: out.subarray(eol + 1, eol + 1 + Number(size)) });
    at = eol + 1 + Number(size) + 1;
  }
  return objects;
}

describe("PackReader", () => {
  let tmp: string;
  let work: string;
  let oids: string[];

  before(async () => {
    tmp = mkdtempSync(join(tmpdir(), "poolkeeper-pack-reader-"));
    work = join(tmp, "work");
    mkdirSync(join(work, "pools"), { recursive: true });
    await gitCli(work, "init", "--quiet", "--initial-branch=main");
    // Files that change a little in each commit: git stores most versions as deltas, in chains.
    for (let commit = 0; commit < 40; commit++) {
      for (let file = 0; file < 5; file++) {
        const lines = Array.from({ length: 200 }, (_, i) => `line ${i} of pool ${file}: ${i === commit ? commit : 0}`);
        writeFileSync(join(work, "pools", `pool-${file}.yaml`), `${lines.join("\n")}\n`);
      }
      writeFileSync(join(work, "big.bin"), Buffer.alloc(70_000 + commit, commit)); // copies over 64 KiB
      await gitCli(work, "add", "-A");
      await gitCli(work, "commit", "--quiet", "-m", `commit ${commit}`);
    }
    await gitCli(work, "repack", "--quiet", "-a", "-d", "-f", "--depth=50", "--window=50");
    oids = (await gitCli(work, "rev-list", "--objects", "--all")).split("\n").map((line) => line.slice(0, 40));
  });
  after(() => rmSync(tmp, { recursive: true, force: true }));

  it("reads every object of a pack with offset deltas as git does", () => {
    const gitdir = join(work, ".git");
    const expected = catFile(gitdir, oids);
    const read = new PackReader(gitdir).read(oids, Number.MAX_SAFE_INTEGER);
    assert.equal(read.size, oids.length);
    for (const oid of oids) assert.deepEqual(read.get(oid), expected.get(oid), oid);
  });

  it("reads a pack with reference deltas as git does", () => {
    const gitdir = join(tmp, "ref-deltas.git");
    spawnSync("git", ["init", "--quiet", "--bare", gitdir]);
    const written = spawnSync("git", ["-C", work, "pack-objects", "--quiet", join(gitdir, "objects", "pack", "pack")], {
      input: oids.join("\n") + "\n",
    });
    assert.equal(written.status, 0, written.stderr.toString());
    const verify = spawnSync("git", ["verify-pack", "-v", ...packIndexes(gitdir)]).stdout.toString();
    assert.match(verify, /chain length = [1-9]/, "the pack has deltas");
    const expected = catFile(join(work, ".git"), oids);
    const read = new PackReader(gitdir).read(oids, Number.MAX_SAFE_INTEGER);
    assert.equal(read.size, oids.length);
    for (const oid of oids) assert.deepEqual(read.get(oid), expected.get(oid), oid);
  });

  it("leaves out objects over the size bound and those in no pack", () => {
    const gitdir = join(work, ".git");
    const expected = catFile(gitdir, oids);
    const missing = "0".repeat(40);
    const read = new PackReader(gitdir).read([...oids, missing], 10_000);
    assert.equal(read.has(missing), false);
    for (const oid of oids) {
      const size = expected.get(oid)?.data.length ?? 0;
      assert.equal(read.has(oid), size <= 10_000, `${oid}: ${size} bytes`);
    }
  });

  it("refuses a damaged pack, naming it", () => {
    const gitdir = join(tmp, "damaged.git");
    spawnSync("git", ["clone", "--quiet", "--bare", work, gitdir]);
    spawnSync("git", ["-C", gitdir, "repack", "--quiet", "-a", "-d"]);
    const [index = ""] = packIndexes(gitdir);
    const pack = index.replace(/\.idx$/, ".pack");
    const bytes = readFileSync(pack);
    bytes[bytes.length - 100] = (bytes[bytes.length - 100] ?? 0) ^ 0xff;
    writeFileSync(pack, bytes);
    const name = pack.split("/").at(-1) ?? "";
    assert.throws(() => new PackReader(gitdir), { message: `${name}: checksum mismatch` });
  });
});

function packIndexes(gitdir: string): string[] {
  const dir = join(gitdir, "objects", "pack");
  return readdirSync(dir)
    .filter((name) => name.endsWith(".idx"))
    .map((name) => join(dir, name));
}
