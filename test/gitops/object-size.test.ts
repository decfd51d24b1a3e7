// Object sizes read from headers only, checked against `git cat-file` (an independent implementation) for every
// object of a repository: loose, packed whole, and packed as deltas of both kinds.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { ObjectSizes } from "../../gitops/object-size.ts";
import { TreeReader } from "../../gitops/tree-reader.ts";

const git = (cwd: string, ...args: string[]) =>
  execFileSync("git", ["-c", "user.name=t", "-c", "user.email=t@e", ...args], {
    cwd,
    encoding: "utf8",
    maxBuffer: 64 * 1024 * 1024,
  }).trim();

/** Every object git knows in the repository, with git's own type and size. */
function gitSizes(work: string): { oid: string; type: string; size: number }[] {
  return git(work, "cat-file", "--batch-all-objects", "--batch-check=%(objectname) %(objecttype) %(objectsize)")
    .split("\n")
    .map((line) => {
      const [oid = "", type = "", size = ""] = line.split(" ");
      return { oid, type, size: Number(size) };
    });
}

describe("ObjectSizes", () => {
  let work: string;
  before(() => {
    work = mkdtempSync(join(tmpdir(), "poolkeeper-object-size-"));
    git(work, "init", "--quiet", "--initial-branch=main");
    // Files that share most of their text, so that a repack stores some as deltas of others; one larger than
    // 64 KiB (a multi-byte size in the pack header), one empty.
    const base = Array.from({ length: 4000 }, (_, i) => `line ${i}: ${"x".repeat(i % 50)}\n`).join("");
    for (let i = 0; i < 6; i++) {
      writeFileSync(
        join(work, `pool-${i}.yaml`),
        base.replace(`line ${i * 100}:`, `changed ${i}:`) + "tail\n".repeat(i),
      );
      writeFileSync(join(work, "empty.yaml"), "");
      git(work, "add", "-A");
      git(work, "commit", "--quiet", "-m", `commit ${i}`);
    }
    // Enough objects that many share a first byte, so a pack index's binary search has more than one name to pass.
    for (let i = 0; i < 600; i++) writeFileSync(join(work, `small-${i}.txt`), `small file ${i}\n`);
    git(work, "add", "-A");
    git(work, "commit", "--quiet", "-m", "many small files");
  });
  after(() => rmSync(work, { recursive: true, force: true }));

  it("reads the size of every loose object as git does", () => {
    const sizes = new ObjectSizes();
    const objects = gitSizes(work);
    assert.ok(objects.length >= 600);
    for (const { oid, size } of objects) assert.equal(sizes.size(join(work, ".git"), oid), size, oid);
  });

  it("reads the size of every packed object, deltas included, as git does", () => {
    git(work, "repack", "-a", "-d", "-f", "--depth=10", "--window=20");
    const packDir = join(work, ".git", "objects", "pack");
    const idx = readdirSync(packDir).find((file) => file.endsWith(".idx")) ?? "";
    const verify = git(work, "verify-pack", "-v", join(packDir, idx));
    assert.match(verify, / blob +\d+ \d+ \d+ \d+ [0-9a-f]{40}/, "some blobs are stored as deltas");
    const sizes = new ObjectSizes();
    const objects = gitSizes(work);
    for (const { oid, size } of objects) assert.equal(sizes.size(join(work, ".git"), oid), size, oid);
  });

  it("is undefined for an object the repository does not have", () => {
    assert.equal(new ObjectSizes().size(join(work, ".git"), "0123456789abcdef0123456789abcdef01234567"), undefined);
  });

  it("lets the tree reader refuse a file over its limit without reading it", async () => {
    const reader = new TreeReader({ maxFileBytes: 1000 });
    const head = git(work, "rev-parse", "HEAD");
    const files = await reader.read(join(work, ".git"), head, ["*.yaml"]);
    const big = files.find((f) => f.path === "pool-5.yaml");
    const expected = Number(git(work, "cat-file", "-s", `${head}:pool-5.yaml`));
    assert.deepEqual(big, { path: "pool-5.yaml", text: "", tooLarge: expected });
    assert.deepEqual(
      files.find((f) => f.path === "empty.yaml"),
      { path: "empty.yaml", text: "" },
    );
  });
});
