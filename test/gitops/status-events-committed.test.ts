// Every event the publisher writes reaches the status branch's trailers, through the real status writer on a local
// repository read back with git's own trailer parser. Found by the crash-safety runs: two NodeClaims finished side
// by side, the second's `drained` event was recorded while the first's write read the branch, so that commit's
// files already showed it; the next write then changed no file, was skipped as unchanged, and its trailer — the
// branch's only record of the event — was lost.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, it } from "node:test";
import { StatusPublisher } from "../../gitops/status-publisher.ts";
import { createStatusWriter, type StatusWriter } from "../../gitops/status-writer.ts";
import { silentLogger } from "../../runtime/log.ts";
import { FakeClock } from "../support/fake-clock.ts";
import { gitCli } from "../support/pool-repo.ts";

const BRANCH = "poolkeeper-status";
let tmp: string;
let repo: string;

beforeEach(async () => {
  tmp = mkdtempSync(join(tmpdir(), "poolkeeper-status-events-"));
  repo = join(tmp, "repo");
  await gitCli(tmp, "init", "--quiet", "--initial-branch=main", repo);
  await gitCli(repo, "commit", "--quiet", "--allow-empty", "-m", "pools");
});

afterEach(() => rmSync(tmp, { recursive: true, force: true }));

function writer(): StatusWriter {
  return createStatusWriter({
    url: repo,
    branch: BRANCH,
    path: "status/prod/",
    cacheDir: join(tmp, "cache"),
    author: { name: "poolkeeper", email: "poolkeeper@example.com" },
    retries: { max: 1, minBackoffMs: 1, maxBackoffMs: 1 },
  });
}

/** The branch's events as git parses its trailers, oldest first. */
async function branchEvents(): Promise<string[]> {
  const log = await gitCli(repo, "log", "--reverse", "--format=%(trailers:key=Poolkeeper-Event,valueonly)", BRANCH);
  return log.split("\n").filter((line) => line.trim() !== "");
}

const drained = (node: string) => ({ kind: "drained" as const, pool: "default", node, reason: "drained" });

describe("every event written reaches the status branch", () => {
  it("an event recorded while a write reads the branch is in the next commit's trailers", async () => {
    const w = writer();
    let release: () => void = () => {};
    const gate = new Promise<void>((resolve) => (release = resolve));
    let reading: () => void = () => {};
    const read = new Promise<void>((resolve) => (reading = resolve));
    const publisher = new StatusPublisher({
      writer: w,
      cluster: "prod",
      coalesceMs: 0,
      clock: new FakeClock(new Date("2026-06-01T09:00:00Z")),
      logger: silentLogger(),
      retry: { minBackoffMs: 60_000, maxBackoffMs: 60_000 },
      manual: true,
      // The branch is read again before the first write after this replica starts leading: slow, held here.
      history: async () => {
        reading();
        await gate;
        return w.history();
      },
    });
    publisher.reseed();
    publisher.record(drained("ip-10-0-32-6"));
    const first = publisher.flush();
    await read; // the first write has taken its events and reads the branch
    publisher.record(drained("ip-10-0-32-7"));
    const second = publisher.flush();
    release();
    await Promise.all([first, second]);
    assert.deepEqual(await branchEvents(), [
      "drained default ip-10-0-32-6: drained",
      "drained default ip-10-0-32-7: drained",
    ]);
  });

  it("the writer commits a message carrying events even when the files are unchanged, and only then", async () => {
    const w = writer();
    const files = new Map([["summary.md", "# status\n"]]);
    const message = (event: string) => `status(prod)\n\nPoolkeeper-Event: ${event}\n`;
    assert.equal((await w.write({ files, message: message("synced: one"), keep: true })).unchanged, false);
    assert.equal((await w.write({ files, message: message("synced: two"), keep: true })).unchanged, false);
    assert.equal((await w.write({ files, message: "status(prod)\n" })).unchanged, true);
    assert.deepEqual(await branchEvents(), ["synced: one", "synced: two"]);
  });
});
