import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import {
  filterTimeline,
  parseStatusCommit,
  readStatusHistory,
  renderTimeline,
  type HistoryEntry,
} from "../../gitops/history.ts";

const T1 = new Date("2026-11-25T09:00:00Z");
const T2 = new Date("2026-11-25T10:00:00Z");
const T3 = new Date("2026-11-25T11:30:00Z");

function entries(): HistoryEntry[] {
  return [
    parseStatusCommit({
      sha: "a1b2c3d4e5f60718293a4b5c6d7e8f9012345678",
      time: T2,
      subject: "status(eu-1): accepted 1a2b3c4 — 2 pools",
      body: [
        "Poolkeeper-Cluster: eu-1",
        "Poolkeeper-Source: 1a2b3c4d5e6f",
        "Poolkeeper-Event: provisioned gpu ip-10-0-1-2: launched g5.xlarge",
        "Poolkeeper-Event: drained - ip-10-0-3-3: empty",
      ].join("\n"),
    }),
    parseStatusCommit({ sha: "0000000aaaa", time: T1, subject: "initial status branch", body: "" }),
    parseStatusCommit({
      sha: "fedcba9876543210",
      time: T3,
      subject: "status(eu-1): rejected 9f8e7d6 (1 denial); last good 1a2b3c4",
      body: "Poolkeeper-Cluster: eu-1\nPoolkeeper-Event: rejected: 1 denial\nPoolkeeper-Event: consolidated general: underused\n",
    }),
  ];
}

test("parseStatusCommit: trailers, pools and nodes; a commit without trailers has no events", () => {
  const [first, plain, third] = entries();
  assert.deepEqual(first, {
    sha: "a1b2c3d4e5f60718293a4b5c6d7e8f9012345678",
    time: T2,
    cluster: "eu-1",
    source: "1a2b3c4d5e6f",
    events: [
      { kind: "provisioned", pool: "gpu", node: "ip-10-0-1-2", reason: "launched g5.xlarge" },
      { kind: "drained", node: "ip-10-0-3-3", reason: "empty" },
    ],
  });
  assert.deepEqual(plain, { sha: "0000000aaaa", time: T1, events: [] });
  assert.deepEqual(third?.events, [
    { kind: "rejected", reason: "1 denial" },
    { kind: "consolidated", pool: "general", reason: "underused" },
  ]);
  // Trailer-looking text in the subject alone is not a trailer.
  assert.deepEqual(parseStatusCommit({ sha: "x", time: T1, subject: "Poolkeeper-Cluster: eu-1", body: "" }).events, []);
});

test("filterTimeline: by pool, by kind, since, cluster; unfiltered keeps everything", () => {
  const all = entries();
  assert.equal(filterTimeline(all, {}).length, 3);
  const gpu = filterTimeline(all, { pool: "gpu" });
  assert.deepEqual(
    gpu.map((e) => [e.sha, e.events.map((x) => x.kind)]),
    [["a1b2c3d4e5f60718293a4b5c6d7e8f9012345678", ["provisioned"]]],
  );
  const rejected = filterTimeline(all, { event: "rejected" });
  assert.deepEqual(
    rejected.map((e) => [e.sha, e.events.length]),
    [["fedcba9876543210", 1]],
  );
  assert.deepEqual(filterTimeline(all, { pool: "gpu", event: "drained" }), []);
  assert.deepEqual(
    filterTimeline(all, { since: T2 }).map((e) => e.sha),
    ["a1b2c3d4e5f60718293a4b5c6d7e8f9012345678", "fedcba9876543210"],
  );
  assert.deepEqual(
    filterTimeline(all, { since: T2, event: "consolidated" }).map((e) => e.sha),
    ["fedcba9876543210"],
  );
  assert.deepEqual(
    filterTimeline(all, { cluster: "eu-1", event: "drained" }).map((e) => e.sha),
    ["a1b2c3d4e5f60718293a4b5c6d7e8f9012345678"],
  );
  assert.deepEqual(filterTimeline(all, { cluster: "us-2" }), []); // a commit without the trailer has no cluster
  // Filtering does not change the input.
  assert.equal(all[0]?.events.length, 2);
});

test("renderTimeline text: one line per event, newest first", () => {
  assert.equal(
    renderTimeline(entries(), "text"),
    [
      "2026-11-25T11:30:00Z  fedcba9  rejected  1 denial",
      "2026-11-25T11:30:00Z  fedcba9  consolidated  pool=general  underused",
      "2026-11-25T10:00:00Z  a1b2c3d  provisioned  pool=gpu node=ip-10-0-1-2  launched g5.xlarge",
      "2026-11-25T10:00:00Z  a1b2c3d  drained  node=ip-10-0-3-3  empty",
      "",
    ].join("\n"),
  );
  assert.equal(renderTimeline([], "text"), "");
});

test("renderTimeline json: a stable array of events, newest first", () => {
  const json = renderTimeline(entries(), "json");
  assert.equal(json, renderTimeline([...entries()].reverse(), "json"));
  const rows = JSON.parse(json) as Record<string, unknown>[];
  assert.equal(rows.length, 4);
  assert.deepEqual(rows[2], {
    time: "2026-11-25T10:00:00Z",
    sha: "a1b2c3d4e5f60718293a4b5c6d7e8f9012345678",
    cluster: "eu-1",
    source: "1a2b3c4d5e6f",
    kind: "provisioned",
    pool: "gpu",
    node: "ip-10-0-1-2",
    reason: "launched g5.xlarge",
  });
  assert.deepEqual(Object.keys(rows[0] ?? {}), ["time", "sha", "cluster", "source", "kind", "pool", "node", "reason"]);
  assert.equal(renderTimeline([], "json"), "[]\n");
});

test("readStatusHistory: reads a status branch built with the git CLI", async () => {
  const dir = mkdtempSync(join(tmpdir(), "poolkeeper-history-"));
  try {
    const run = (args: string[], date?: string): void => {
      execFileSync("git", ["-c", "user.name=t", "-c", "user.email=t@e", ...args], {
        cwd: dir,
        stdio: "pipe",
        env: {
          ...process.env,
          GIT_TERMINAL_PROMPT: "0",
          GIT_CONFIG_NOSYSTEM: "1",
          ...(date === undefined ? {} : { GIT_COMMITTER_DATE: date, GIT_AUTHOR_DATE: date }),
        },
      });
    };
    run(["init", "-q", "-b", "status"]);
    run(["commit", "-q", "--allow-empty", "-m", "initial"], "2026-11-25T09:00:00Z");
    run(
      [
        "commit",
        "-q",
        "--allow-empty",
        "-m",
        "status(eu-1): accepted 1a2b3c4 — 1 pool",
        "-m",
        "Poolkeeper-Cluster: eu-1\nPoolkeeper-Source: 1a2b3c4d5e6f\nPoolkeeper-Event: provisioned gpu ip-10-0-1-2: launched",
      ],
      "2026-11-25T10:00:00Z",
    );
    run(
      [
        "commit",
        "-q",
        "--allow-empty",
        "-m",
        "status(eu-1): rejected 9f8e7d6",
        "--trailer",
        "Poolkeeper-Cluster: eu-1",
        "--trailer",
        "Poolkeeper-Event: rejected: 1 denial",
      ],
      "2026-11-25T11:00:00Z",
    );
    const history = await readStatusHistory({ dir, ref: "status" });
    assert.equal(history.length, 3);
    assert.ok(history.every((e) => /^[0-9a-f]{40}$/.test(e.sha)));
    assert.deepEqual(
      history.map((e) => [e.time.toISOString(), e.cluster, e.source, e.events]),
      [
        ["2026-11-25T11:00:00.000Z", "eu-1", undefined, [{ kind: "rejected", reason: "1 denial" }]],
        [
          "2026-11-25T10:00:00.000Z",
          "eu-1",
          "1a2b3c4d5e6f",
          [{ kind: "provisioned", pool: "gpu", node: "ip-10-0-1-2", reason: "launched" }],
        ],
        ["2026-11-25T09:00:00.000Z", undefined, undefined, []],
      ],
    );
    const text = renderTimeline(filterTimeline(history, { pool: "gpu" }), "text");
    assert.match(
      text,
      /^2026-11-25T10:00:00Z {2}[0-9a-f]{7} {2}provisioned {2}pool=gpu node=ip-10-0-1-2 {2}launched\n$/,
    );
    // The git directory and a full ref read the same.
    assert.deepEqual(await readStatusHistory({ gitdir: join(dir, ".git"), ref: "refs/heads/status" }), history);
    await assert.rejects(readStatusHistory({ dir, ref: "no-such-branch" }));
    await assert.rejects(readStatusHistory({ dir: join(dir, "nowhere"), ref: "status" }), /is not a Git repository/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
