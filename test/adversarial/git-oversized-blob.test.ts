// A small push that holds a huge blob (here 16 MiB of one repeated line: a push of a few dozen KiB) is rejected by
// its size, read from the object's header: the blob is never inflated, and the rejection is reported once, not
// again on every later sync of the same head.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { startGitServer, type GitServer } from "../support/git-server.ts";
import { STATUS_BRANCH, syncController } from "../support/sync-controller.ts";
import { createPoolRepo, gitCli } from "../support/pool-repo.ts";

const BLOB_BYTES = 16 * 1024 * 1024;

describe("a pushed blob over the file-size limit", () => {
  let server: GitServer;
  let tmp: string;
  before(async () => {
    server = await startGitServer();
    tmp = mkdtempSync(join(tmpdir(), "poolkeeper-big-blob-"));
  });
  after(async () => {
    await server.stop();
    rmSync(tmp, { recursive: true, force: true });
  });

  it("rejects the commit by the blob's size, once", async () => {
    const repo = await createPoolRepo(server, "big-blob", tmp);
    const line = "# padding\n";
    const bad = await repo.commit("pools: a huge file", { "pools/huge.yaml": line.repeat(BLOB_BYTES / line.length) });
    await repo.push();
    const size = Number(await gitCli(repo.work, "cat-file", "-s", `${bad}:pools/huge.yaml`));
    assert.ok(size > 4 * 1024 * 1024);
    const packed = Number((await gitCli(repo.work, "count-objects", "-v")).match(/size-pack: (\d+)/)?.[1] ?? "0");
    const loose = Number((await gitCli(repo.work, "count-objects", "-v")).match(/^size: (\d+)/m)?.[1] ?? "0");
    assert.ok(packed + loose < 4096, "the repository holding it is small (KiB)");

    const { syncer, publisher } = syncController({ url: repo.url, cacheDir: join(tmp, "cache") });

    const first = await syncer.sync();
    assert.equal(first.outcome, "rejected");
    assert.equal(first.sha, bad);
    assert.deepEqual(first.judgement?.problems, [
      {
        file: "pools/huge.yaml",
        line: 1,
        col: 1,
        message: `file is too large (${size} bytes; the limit is ${4 * 1024 * 1024} bytes)`,
      },
    ]);
    await publisher.flush();
    const again = await syncer.sync();
    assert.equal(again.outcome, "unchanged");
    assert.equal(await publisher.flush(), undefined, "nothing new to report");

    await gitCli(repo.work, "fetch", "--quiet", repo.pushUrl, `+${STATUS_BRANCH}:refs/remotes/check/status`);
    const events = (
      await gitCli(repo.work, "log", "--format=%(trailers:key=Poolkeeper-Event,valueonly)", "refs/remotes/check/status")
    )
      .split("\n")
      .filter((event) => event.startsWith("rejected"));
    assert.equal(events.length, 1, events.join("\n"));
  });
});
