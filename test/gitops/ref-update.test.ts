import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { hostname, tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { updateRef } from "../../gitops/ref-update.ts";

const REF = "refs/heads/poolkeeper-status";
const OLD = "1".repeat(40);
const NEW = "2".repeat(40);

describe("updateRef (git's update-ref <ref> <new> <old>)", () => {
  let gitdir: string;
  const path = () => join(gitdir, REF);
  const read = async () => (existsSync(path()) ? readFileSync(path(), "utf8").trim() : undefined);
  before(() => {
    gitdir = mkdtempSync(join(tmpdir(), "poolkeeper-ref-update-"));
    mkdirSync(join(gitdir, "refs", "heads"), { recursive: true });
  });
  after(() => rmSync(gitdir, { recursive: true, force: true }));

  it("moves the ref from the value it was built on, and leaves no lock", async () => {
    writeFileSync(path(), `${OLD}\n`);
    assert.equal(await updateRef({ gitdir, ref: REF, value: NEW, expected: OLD, read }), "updated");
    assert.equal(readFileSync(path(), "utf8"), `${NEW}\n`);
    assert.equal(existsSync(`${path()}.lock`), false);
  });

  it("refuses when another writer moved it first, and leaves its value", async () => {
    writeFileSync(path(), `${NEW}\n`);
    assert.equal(await updateRef({ gitdir, ref: REF, value: "3".repeat(40), expected: OLD, read }), "moved");
    assert.equal(readFileSync(path(), "utf8"), `${NEW}\n`);
    assert.equal(existsSync(`${path()}.lock`), false);
  });

  it("creates a ref that must not exist yet, and refuses once it does", async () => {
    rmSync(path(), { force: true });
    assert.equal(await updateRef({ gitdir, ref: REF, value: OLD, expected: undefined, read }), "updated");
    assert.equal(await updateRef({ gitdir, ref: REF, value: NEW, expected: undefined, read }), "moved");
    assert.equal(readFileSync(path(), "utf8"), `${OLD}\n`);
  });

  it("waits while a running writer holds the lock", async () => {
    writeFileSync(path(), `${OLD}\n`);
    writeFileSync(`${path()}.lock`, `${process.pid} ${hostname()}\n`);
    assert.equal(await updateRef({ gitdir, ref: REF, value: NEW, expected: OLD, read }), "locked");
    assert.equal(readFileSync(path(), "utf8"), `${OLD}\n`);
    rmSync(`${path()}.lock`);
  });

  it("takes over the lock of a writer killed while holding it", async () => {
    // A process that has exited: its pid names no running process.
    const gone = spawnSync(process.execPath, ["-e", ""]).pid;
    writeFileSync(path(), `${OLD}\n`);
    writeFileSync(`${path()}.lock`, `${gone} ${hostname()}\n`);
    assert.equal(await updateRef({ gitdir, ref: REF, value: NEW, expected: OLD, read }), "updated");
    assert.equal(readFileSync(path(), "utf8"), `${NEW}\n`);
  });
});
