// The policy half of the scenario: what a platform team meets first when it copies pools from an older guide — the
// API server refusing the old version, `check` explaining why, `fix` converting it, the admission webhook denying
// what the conversion could not fix, and the Git gate keeping the last good state when a commit breaks policy.
import { copyFileSync, mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { configDefaults, fetchStatusHistory } from "../../../gitops/index.ts";
import { capturedOutput } from "../../output.ts";
import { runCheck } from "../../commands/check.ts";
import { runFix } from "../../commands/fix.ts";
import { WEBHOOK_NAME, type DemoEnvironment } from "../environment.ts";
import { DEMO_EXAMPLES, demoExample } from "../repository.ts";
import { expect, StepFailure, waitFor, type DemoStep } from "../step.ts";
import { hasObject } from "../world-view.ts";

const GUIDE_POOL = "batch-v1beta1.yaml";
/** The pool repository's NodePools (examples/demo/repository/pools/). */
const POOLS = ["general-purpose", "gpu"];
/**
 * How long (simulated) the gate may take to judge a pushed head: it polls every 10 s, but judging and pushing the
 * status take wall time, which a loaded machine stretches into simulated minutes at ×30.
 */
const GATE_WAIT_MS = 30 * 60_000;

export const v1beta1Refused: DemoStep = {
  id: "v1beta1-refused",
  title: "kubectl apply of the guide's v1beta1 NodePool is refused",
  async run(env, state) {
    const dir = join(env.dir, "guide");
    mkdirSync(dir, { recursive: true });
    const file = join(dir, GUIDE_POOL);
    copyFileSync(join(DEMO_EXAMPLES, "guide", GUIDE_POOL), file);
    state.convertedPool = file;
    const applied = await env.kubectl(["apply", "-f", file]);
    const expected = 'no matches for kind "NodePool" in version "karpenter.sh/v1beta1"';
    expect(applied.code !== 0, `kubectl apply succeeded; expected it to fail with ${expected}`);
    expect(applied.stderr.includes(expected), `kubectl said ${JSON.stringify(applied.stderr.trim())}`);
    return [`$ kubectl apply -f ${GUIDE_POOL}`, ...indentLines(applied.stderr.replaceAll(file, GUIDE_POOL))];
  },
};

export const checkExplains: DemoStep = {
  id: "check-explains",
  title: "poolkeeper check explains why",
  async run(_env, state) {
    const file = guidePool(state);
    const out = capturedOutput();
    const code = runCheck([file], { policy: [], preset: "baseline", format: "text" }, out);
    const deprecated = out.out.split("\n").find((line) => line.includes("[api.deprecated-version]"));
    expect(code === 1, `poolkeeper check exited ${code}, expected 1 (a denial)`);
    expect(deprecated?.includes("not served by Karpenter 1.1"), "no api.deprecated-version denial in its report");
    const limits = out.out.split("\n").find((line) => line.includes("[limits.unreachable]"));
    expect(limits !== undefined, "no limits.unreachable denial for limits.cpu: 1000m in its report");
    const shown = [deprecated, limits].map((line) => `  ${shorten((line ?? "").replace(file, GUIDE_POOL).trim())}`);
    return [`$ poolkeeper check ${GUIDE_POOL}`, ...shown];
  },
};

export const fixConverts: DemoStep = {
  id: "fix-converts",
  title: "poolkeeper fix converts it to karpenter.sh/v1",
  async run(_env, state) {
    const file = guidePool(state);
    const out = capturedOutput();
    const code = runFix([file], { dryRun: false, policy: [], preset: "baseline" }, out);
    const text = readFileSync(file, "utf8");
    expect(code === 0 || code === 1, `poolkeeper fix exited ${code}: ${out.err.trim()}`);
    expect(/^apiVersion: karpenter\.sh\/v1$/m.test(text), "the file still is not karpenter.sh/v1 after fix");
    expect(/^ {4}cpu: 1000m$/m.test(text), "fix changed limits.cpu, which only the pool's owner can choose");
    const summary = out.out.trim().split("\n").at(-1) ?? "";
    return [
      `$ poolkeeper fix ${GUIDE_POOL}`,
      `  ${summary}`,
      "  apiVersion: karpenter.sh/v1; nodeClassRef group and kind set; expireAfter moved to the template",
    ];
  },
};

export const webhookDenies: DemoStep = {
  id: "webhook-denies",
  title: "the converted pool, still at limits.cpu: 1000m, is denied by the webhook",
  async run(env, state) {
    const applied = await env.kubectl(["apply", "-f", guidePool(state)]);
    const denied = `admission webhook "${WEBHOOK_NAME}" denied the request`;
    expect(applied.code !== 0, `kubectl apply succeeded: ${applied.stdout.trim()}; expected the webhook to deny it`);
    expect(applied.stderr.includes(denied), `kubectl said ${JSON.stringify(applied.stderr.trim())}`);
    expect(applied.stderr.includes("[limits.unreachable]"), "the denial does not name limits.unreachable");
    const stored = await env.kubectl(["get", "nodepool", "batch"]);
    expect(stored.code !== 0, "the denied NodePool was stored anyway");
    // kubectl prints the webhook's warnings first; the denial and its finding are what this step shows.
    const file = guidePool(state);
    const shown = indentLines(applied.stderr.replaceAll(file, GUIDE_POOL)).filter(
      (line) => line.includes("denied the request") || line.includes("[limits.unreachable]"),
    );
    return [`$ kubectl apply -f ${GUIDE_POOL}   (after fix)`, ...shown.map((line) => shorten(line, 240))];
  },
};

export const gateAccepts: DemoStep = {
  id: "gate-accepts",
  title: "the Git gate accepts the corrected pools; poolkeeper run applies them",
  async run(env, state) {
    const head = await env.repository.head();
    const accepted = await waitFor(
      env,
      `the status branch naming ${head.slice(0, 7)} as the source`,
      GATE_WAIT_MS,
      async () => (await statusHistory(env)).find((entry) => entry.source === head && entry.rejected === undefined),
    );
    state.goodHead = head;
    // run applies the last good state after each sync (server-side apply, through the webhook like any client).
    await waitFor(env, "the accepted pools in the cluster", GATE_WAIT_MS, () =>
      POOLS.every((pool) => hasObject(env.world, "nodepools", pool)) &&
      hasObject(env.world, "ec2nodeclasses", "default")
        ? true
        : undefined,
    );
    const listed = await env.kubectl(["get", "nodepools,ec2nodeclasses", "-o", "name"]);
    expect(listed.code === 0, `kubectl get failed: ${listed.stderr.trim()}`);
    return [`status ${accepted.sha.slice(0, 7)}: source ${head.slice(0, 7)} accepted`, ...indentLines(listed.stdout)];
  },
};

export const gateRejects: DemoStep = {
  id: "gate-rejects",
  title: "a commit with a broken budget cron is rejected by the Git gate; the last good state stays",
  async run(env, state) {
    const good = state.goodHead;
    if (good === undefined) throw new StepFailure("no accepted head to keep (step gate-accepts failed)");
    const head = await env.repository.commit("pools: the guide's weekend batch pool", {
      "pools/batch.yaml": demoExample("commits/batch-weekend-cron.yaml"),
    });
    const rejected = await waitFor(
      env,
      `the status branch recording ${head.slice(0, 7)} as rejected`,
      GATE_WAIT_MS,
      // The commit that recorded the rejection: every later status commit carries the same Poolkeeper-Rejected
      // trailer while that head stays rejected, with its own events, so the newest such commit need not be it.
      async () =>
        (await statusHistory(env)).find(
          (entry) => entry.rejected === head && entry.events.some((event) => event.kind === "rejected"),
        ),
    );
    expect(
      rejected.source === good,
      `the status names ${rejected.source?.slice(0, 7)} in force, not the last good ${good.slice(0, 7)}`,
    );
    const reason = rejected.events.find((event) => event.kind === "rejected")?.reason ?? "";
    expect(reason.includes("schedule"), `the rejection does not name the budget schedule: ${JSON.stringify(reason)}`);
    return [
      `pushed ${head.slice(0, 7)}: status ${rejected.sha.slice(0, 7)} rejected it; ${good.slice(0, 7)} stays in force`,
      `  ${shorten(reason)}`,
    ];
  },
};

function guidePool(state: { convertedPool?: string }): string {
  if (state.convertedPool === undefined) throw new StepFailure("the guide's pool was not written (an earlier step)");
  return state.convertedPool;
}

function statusHistory(env: DemoEnvironment) {
  return fetchStatusHistory({ url: env.repository.bare, branch: configDefaults.statusBranch }).catch(() => []);
}

function indentLines(text: string): string[] {
  return text
    .trim()
    .split("\n")
    .filter((line) => line.trim() !== "")
    .map((line) => `  ${line}`);
}

/** One terminal line's worth of a long message. */
export function shorten(line: string, width = 160): string {
  return line.length <= width ? line : `${line.slice(0, width - 1)}…`;
}
