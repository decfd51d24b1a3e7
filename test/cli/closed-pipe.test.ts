// `poolkeeper check … | head -1` ended in an unhandled 'error' event (write EPIPE) and its stack trace once the
// reader closed the pipe. A real process whose report is far larger than a pipe's buffer (so it is still writing
// when the pipe closes), its stdout read for one chunk and then closed, as `head` does.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { once } from "node:events";
import { copyFileSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { projectRoot } from "../support/fixtures.ts";

test("a reader that closes the pipe early ends the command quietly, with SIGPIPE's status (141)", async (t) => {
  const dir = mkdtempSync(join(tmpdir(), "poolkeeper-pipe-"));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  // 200 copies of a v1beta1 pool: about half a MiB of findings, several pipe buffers' worth.
  for (let i = 0; i < 200; i++) {
    copyFileSync(join(projectRoot, "examples", "pools", "batch-v1beta1.yaml"), join(dir, `pool-${i}.yaml`));
  }
  const child = spawn(process.execPath, [join(projectRoot, "bin", "poolkeeper.js"), "check", dir], {
    cwd: projectRoot,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stderr = "";
  child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
  const [first] = (await once(child.stdout, "data")) as [Buffer];
  child.stdout.destroy();
  const [code] = (await once(child, "close")) as [number | null];
  assert.match(first.toString("utf8"), /pool-\d+\.yaml/);
  assert.equal(stderr, "");
  assert.equal(code, 141);
});
