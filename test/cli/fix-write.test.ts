// `poolkeeper fix` rewrites manifests in place; a write that fails half-way (a full disk, a rename the file system
// refuses) must leave the manifest exactly as it was, leave no temporary file behind, and say so. The failures are
// injected through the file system `fix` writes with: a real full disk cannot be made in a test, and permissions
// do not stop root.
import assert from "node:assert/strict";
import * as fs from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, test } from "node:test";
import { runFix } from "../../cli/commands/fix.ts";
import { capturedOutput } from "../../cli/output.ts";

const NODE_CLASS = [
  "# the batch class: IMDSv1 kept for an old agent",
  "apiVersion: karpenter.k8s.aws/v1",
  "kind: EC2NodeClass",
  "metadata: {name: batch}",
  "spec:",
  "  instanceProfile: KarpenterNodeInstanceProfile-batch",
  "  amiSelectorTerms: [{alias: al2023@v20240807}]",
  "  subnetSelectorTerms: [{id: subnet-0123456789abcdef0}]",
  "  securityGroupSelectorTerms: [{id: sg-0123456789abcdef0}]",
  "  metadataOptions:",
  "    httpTokens: optional # legacy agent",
  "",
].join("\n");

function manifestIn(dir: string): string {
  const file = join(dir, "class.yaml");
  fs.writeFileSync(file, NODE_CLASS);
  return file;
}

function tempDir(): string {
  return fs.mkdtempSync(join(tmpdir(), "poolkeeper-fix-"));
}

function systemError(code: string, message: string): NodeJS.ErrnoException {
  return Object.assign(new Error(`${code}: ${message}`), { code });
}

const options = { dryRun: false, policy: [], preset: "baseline" as const, now: new Date("2026-11-25T12:00:00Z") };

describe("poolkeeper fix writes a file whole or not at all", () => {
  test("a full disk part-way through the write: the manifest is unchanged, no temporary file, a clear message", () => {
    const dir = tempDir();
    const file = manifestIn(dir);
    const before = fs.readFileSync(file);
    let writes = 0;
    const fullDisk = {
      ...fs,
      // The first write lands half the bytes, as a write to a nearly full disk does; the next fails.
      writeSync: ((fd: number, buffer: Uint8Array, offset?: number | null, length?: number | null) => {
        const start = offset ?? 0;
        const size = length ?? buffer.byteLength - start;
        if (writes++ === 0) return fs.writeSync(fd, buffer, start, Math.ceil(size / 2));
        throw systemError("ENOSPC", "no space left on device, write");
      }) as typeof fs.writeSync,
    };
    const out = capturedOutput();
    const code = runFix([file], { ...options, fs: fullDisk }, out);
    assert.equal(code, 2);
    assert.ok(writes >= 2, "the failure happened while writing");
    assert.deepEqual(fs.readFileSync(file), before, "the manifest keeps every byte");
    assert.deepEqual(fs.readdirSync(dir), ["class.yaml"], "no temporary file is left");
    assert.equal(
      out.err,
      `poolkeeper fix: could not write ${file} (ENOSPC: no space left on device, write): the file is unchanged and its fixes are not applied\n`,
    );
    assert.doesNotMatch(out.err, /internal error/);
    assert.match(out.out, /^\+ {4}httpTokens: required # legacy agent$/m, "the diff shows what was not applied");
    assert.match(out.out, /fixed 0 finding\(s\) in 0 file\(s\); 1 file\(s\) could not be written\n$/);
  });

  test("a rename the file system refuses: the manifest is unchanged and the temporary file is removed", () => {
    const dir = tempDir();
    const file = manifestIn(dir);
    const before = fs.readFileSync(file);
    const renames: string[] = [];
    const refusing = {
      ...fs,
      renameSync: ((from: fs.PathLike) => {
        renames.push(String(from));
        throw systemError("EXDEV", "cross-device link not permitted, rename");
      }) as typeof fs.renameSync,
    };
    const out = capturedOutput();
    assert.equal(runFix([file], { ...options, fs: refusing }, out), 2);
    assert.equal(renames.length, 1);
    assert.ok(renames[0]?.startsWith(dir), "the temporary file is in the manifest's directory");
    assert.deepEqual(fs.readFileSync(file), before);
    assert.deepEqual(fs.readdirSync(dir), ["class.yaml"]);
    assert.match(out.err, /could not write .*class\.yaml \(EXDEV: .*\): the file is unchanged/);
  });

  test("a successful write: the fixed text, the file's mode kept, no temporary file", () => {
    const dir = tempDir();
    const file = manifestIn(dir);
    fs.chmodSync(file, 0o640);
    const out = capturedOutput();
    assert.equal(runFix([file], options, out), 0);
    const after = fs.readFileSync(file, "utf8");
    assert.match(after, /^ {4}httpTokens: required # legacy agent$/m);
    assert.match(after, /^# the batch class: IMDSv1 kept for an old agent$/m);
    assert.equal(fs.statSync(file).mode & 0o777, 0o640);
    assert.deepEqual(fs.readdirSync(dir), ["class.yaml"]);
    assert.equal(out.err, "");
  });

  test("through a symbolic link: the link stays a link and its target gets the fix", () => {
    const dir = tempDir();
    const target = manifestIn(dir);
    const link = join(dir, "link.yaml");
    fs.symlinkSync("class.yaml", link);
    assert.equal(runFix([link], options, capturedOutput()), 0);
    assert.ok(fs.lstatSync(link).isSymbolicLink());
    assert.match(fs.readFileSync(target, "utf8"), /httpTokens: required/);
    assert.deepEqual(fs.readdirSync(dir).sort(), ["class.yaml", "link.yaml"]);
  });
});
