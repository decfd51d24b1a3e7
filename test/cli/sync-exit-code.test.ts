// `sync --once`'s exit code against every outcome a sync reports, as docs/gitops.md promises it: 0 accepted, 1
// rejected, 2 Git or status failure; never 0 while the report (the head's judgement) says rejected.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { onceExitCode } from "../../cli/commands/sync.ts";
import type { Judgement } from "../../gitops/gate.ts";
import { SourceError } from "../../gitops/source.ts";
import type { SyncResult } from "../../gitops/sync.ts";

const SHA = "0123456789abcdef0123456789abcdef01234567";

function judgement(accepted: boolean): Judgement {
  return {
    sha: SHA,
    accepted,
    findings: [],
    problems: [],
    reason: `commit 0123456 ${accepted ? "accepted" : "rejected"}`,
  };
}

describe("sync --once exit code", () => {
  it("is 0 only for an accepted head whose judgement accepts it", () => {
    for (const outcome of ["accepted", "unchanged"] as const) {
      const result: SyncResult = { outcome, sha: SHA, accepted: true, findings: [], judgement: judgement(true) };
      assert.equal(onceExitCode(result, true), 0, outcome);
      assert.equal(onceExitCode(result, false), 2, `${outcome}, status not written`);
    }
  });

  it("is 1 whenever the judgement the report shows rejects the head", () => {
    for (const outcome of ["accepted", "rejected", "unchanged"] as const) {
      for (const accepted of [true, false]) {
        const result: SyncResult = { outcome, sha: SHA, accepted, findings: [], judgement: judgement(false) };
        assert.equal(onceExitCode(result, true), 1, `${outcome}, accepted ${accepted}`);
      }
      const head: SyncResult = { outcome, sha: SHA, accepted: false, findings: [], judgement: judgement(true) };
      assert.equal(onceExitCode(head, true), 1, `${outcome}, the head not accepted`);
      const none: SyncResult = { outcome, sha: SHA, accepted: true, findings: [] };
      assert.equal(onceExitCode(none, true), 1, `${outcome}, no judgement to show`);
    }
  });

  it("is 2 when Git failed, whatever else", () => {
    const failed: SyncResult = {
      outcome: "failed",
      accepted: false,
      findings: [],
      error: new SourceError("unreachable", "down"),
    };
    assert.equal(onceExitCode(failed, true), 2);
    assert.equal(onceExitCode({ ...failed, accepted: true, judgement: judgement(true) }, true), 2);
  });
});
