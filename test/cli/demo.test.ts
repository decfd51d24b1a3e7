// `poolkeeper demo`: the whole scenario with the pinned kubectl, every step required to hold, and each step's own
// evidence checked in its output — kubectl's words for a kind the API server does not serve (k8s.io/apimachinery
// meta.NoKindMatchError: `no matches for kind "K" in version "G/V"`), the API server's words around a webhook's
// denial (k8s.io/apiserver admission/plugin/webhook/errors: `admission webhook "NAME" denied the request`), the
// status branch's trailers (docs/gitops.md); the autoscaler's steps judged by the world's records the demo prints
// (pods bound by the world's scheduler and Karpenter's "Failed to schedule pod" for the one no pool can take, the
// interrupted instance's pods running elsewhere before EC2's 2 minutes with the notice deleted from the queue and a
// replacement launched when the other nodes had no room for them, nodes gone within budgets while the GPU pool's
// `nodes: "0"` window holds it — its budget as the example pool writes it, active until 9:00 + 8 h —, every node of
// the old class replaced). Everything runs in this process on the demo's virtual clock, which moves only once the
// work in flight is done (the bytes between its sockets included: loopback-transit.ts), so nothing here depends on
// the machine's speed. A second run breaks one step on purpose through the test hook (the webhook unregistered
// before the step that expects its denial) and sees the demo exit 1 naming that step. With --keep-running, the
// commands it prints work: kubectl lists the pools, git clones the pool repository — whose status commits carry the
// simulated time, not the wall clock's — and `poolkeeper history` reads its status branch.
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { runDemo } from "../../cli/commands/demo.ts";
import { WEBHOOK_CONFIGURATION } from "../../cli/demo/environment.ts";
import { main } from "../../cli/main.ts";
import { capturedOutput } from "../../cli/output.ts";
import { kubectlPath } from "../support/binaries.ts";

let kubectl: string;
let dir: string;

before(async () => {
  kubectl = await kubectlPath();
  dir = mkdtempSync(join(tmpdir(), "poolkeeper-demo-test-"));
});

after(() => rmSync(dir, { recursive: true, force: true }));

/** The lines of one step: its mark line and the indented lines under it. */
function stepBlock(output: string, title: string): string {
  const lines = output.split("\n");
  const start = lines.findIndex((line) => line.includes(`] ${title} (`));
  assert.ok(start >= 0, `no line for step "${title}" in:\n${output}`);
  const end = lines.findIndex((line, index) => index > start && !line.startsWith("    "));
  return lines.slice(start, end < 0 ? undefined : end).join("\n");
}

// No wall-time timeout: the scenario runs on a virtual clock that waits for the work, so a slow machine makes it
// slower, never different.
describe("poolkeeper demo", () => {
  // The whole scenario, every step required to hold, each checked by its own evidence.
  test("plays every step with its assertion, prints the summary, and exits 0", async () => {
    const captured = capturedOutput();
    const code = await runDemo({ keepRunning: false, dir: join(dir, "full"), timeFactor: "30" }, captured, {
      main,
      env: { ...process.env, POOLKEEPER_KUBECTL: kubectl },
    });
    const out = captured.out;
    assert.equal(captured.err, "", "not a terminal: no progress redraws on standard error, and logs go to demo.log");

    const refused = stepBlock(out, "kubectl apply of the guide's v1beta1 NodePool is refused");
    assert.match(refused, /^✔/);
    assert.match(refused, /no matches for kind "NodePool" in version "karpenter\.sh\/v1beta1"/);

    const explained = stepBlock(out, "poolkeeper check explains why");
    assert.match(explained, /^✔/);
    assert.match(explained, /deny +batch-v1beta1\.yaml:3:1 +apiVersion +karpenter\.sh\/v1beta1 NodePool is not served/);
    assert.match(explained, /deny +batch-v1beta1\.yaml:\d+:\d+ +spec\.limits\.cpu +limits\.cpu is 1000m/);

    const converted = stepBlock(out, "poolkeeper fix converts it to karpenter.sh/v1");
    assert.match(converted, /^✔/);
    assert.match(converted, /fixed \d+ finding\(s\) in 1 file\(s\)/);

    const denied = stepBlock(out, "the converted pool, still at limits.cpu: 1000m, is denied by the webhook");
    assert.match(denied, /^✔/);
    assert.match(
      denied,
      /Error from server \(Forbidden\): error when creating ".*": admission webhook "validate\.poolkeeper\.dev" denied the request: NodePool "batch" violates/,
    );

    const accepted = stepBlock(out, "the Git gate accepts the corrected pools; poolkeeper run applies them");
    assert.match(accepted, /^✔/);
    for (const object of [
      "nodepool.karpenter.sh/general-purpose",
      "nodepool.karpenter.sh/gpu",
      "ec2nodeclass.karpenter.k8s.aws/default",
    ]) {
      assert.match(accepted, new RegExp(`^ {6}${object.replaceAll(".", "\\.")}$`, "m"));
    }

    const rejected = stepBlock(
      out,
      "a commit with a broken budget cron is rejected by the Git gate; the last good state stays",
    );
    assert.match(rejected, /^✔/);
    const [, bad, good] = /pushed ([0-9a-f]{7}): status [0-9a-f]{7} rejected it; ([0-9a-f]{7}) stays in force/.exec(
      rejected,
    ) ?? [assert.fail(`no rejection line in:\n${rejected}`)];
    assert.match(rejected, /budgets\.schedule-unparsable on NodePool\/batch/);
    // The status branch's own record of it (the summary's git log shows only the newest commits, which the
    // autoscaler's steps may have pushed past it).
    assert.match(rejected, new RegExp(`commit ${bad} rejected: 1 denial .*; last good ${good} stays in force`));

    // The autoscaler's steps: 300 pods, one of which no pool can take; the world's own evidence is in each block.
    const pending = stepBlock(
      out,
      "300 pending pods (zone-spread Deployments, a GPU job, one pod no pool can take) get nodes",
    );
    assert.match(pending, /^✔/);
    assert.match(pending, /299 of 300 pods got nodes: \d+ nodes \(general-purpose \d+, gpu [1-9]\d*\)/);
    // Karpenter's FailedScheduling message for a pod no NodePool's requirements admit names the requirement.
    assert.match(pending, /arm-only stays pending: Failed to schedule pod, .*kubernetes\.io\/arch/);

    // EC2's two-minute notice: the node's pods run elsewhere and run has deleted the notice before it ends, and a
    // replacement NodeClaim was launched only if they fitted nowhere else (Karpenter's provisioner).
    const interrupted = stepBlock(out, "a spot interruption is drained and replaced before the 2-minute deadline");
    assert.match(interrupted, /^✔/);
    const [, drainedIn] = /warned; its [1-9]\d* pods drained and running elsewhere (\d+) s after the notice/.exec(
      interrupted,
    ) ?? [assert.fail(`no drain line in:\n${interrupted}`)];
    assert.ok(Number(drainedIn) <= 120, interrupted);
    const [, deletedIn] = /the notice deleted from poolkeeper-demo-interruptions by run (\d+) s after it was sent/.exec(
      interrupted,
    ) ?? [assert.fail(`no notice line in:\n${interrupted}`)];
    assert.ok(Number(deletedIn) <= 120, interrupted);
    assert.match(
      interrupted,
      /replacement launched by run: general-purpose-\w+ \(general-purpose, |no replacement needed: the other nodes had room/,
    );

    const consolidated = stepBlock(
      out,
      'load drops: consolidation within the budgets, while a nodes: "0" window holds the GPU pool',
    );
    assert.match(consolidated, /^✔/);
    const [, from, to] = /general-purpose: (\d+) → (\d+) nodes/.exec(consolidated) ?? [
      assert.fail(`no consolidation line in:\n${consolidated}`),
    ];
    assert.ok(Number(to) < Number(from), consolidated);
    // The GPU pool's budget as examples/demo writes it: nodes "0" on weekdays from 09:00 UTC for 8 hours; the
    // scenario's Wednesday 10:00 is inside it, so it holds until 17:00.
    assert.match(consolidated, /gpu held: .*budget 0 \(`nodes: 0`, 0 9 \* \* mon-fri for 8h\) active until 17:00 UTC/);

    const drifted = stepBlock(out, "an EC2NodeClass change drifts its nodes, replaced with rollout progress");
    assert.match(drifted, /^✔/);
    // The step samples the rollout as it goes: its first sample may already count a replaced node.
    const [, first, total] = /rollout: (\d+)\/(\d+) → .* → \2\/\2 nodes replaced/.exec(drifted) ?? [
      assert.fail(`no rollout line in:\n${drifted}`),
    ];
    assert.ok(Number(first) < Number(total), drifted);
    assert.match(
      out,
      /Poolkeeper-Event: rollout general-purpose: \d+ of \d+ nodes on the current template at [0-9a-f]{7}/,
    );

    assert.match(out, /Status branch events by kind \(\d+ commits\):\n {2}.*rejected 1/);
    assert.match(out, /Poolkeeper-Cluster: demo\n {2}Poolkeeper-Source: [0-9a-f]{40}/);
    assert.match(out, /all 10 steps held/);
    assert.equal(code, 0, out);
  });

  test("a step broken on purpose fails the demo, which names it", async () => {
    const out = capturedOutput();
    const code = await runDemo({ keepRunning: false, dir: join(dir, "broken"), timeFactor: "30" }, out, {
      main,
      env: { ...process.env, POOLKEEPER_KUBECTL: kubectl },
      steps: ["v1beta1-refused", "check-explains", "fix-converts", "webhook-denies"],
      hooks: {
        async beforeStep(id, env) {
          if (id !== "webhook-denies") return;
          const removed = await env.kubectl(["delete", "validatingwebhookconfiguration", WEBHOOK_CONFIGURATION]);
          assert.equal(removed.code, 0, removed.stderr);
        },
      },
    });
    assert.equal(code, 1);
    assert.match(out.out, /✔ \[3\/4\] poolkeeper fix converts it/);
    assert.match(
      out.out,
      /✘ \[4\/4\] the converted pool, still at limits\.cpu: 1000m, is denied by the webhook[^\n]*\n {4}FAILED: kubectl apply succeeded: nodepool\.karpenter\.sh\/batch created; expected the webhook to deny it/,
    );
    assert.match(out.out, /1 of 4 steps failed:\n {2}webhook-denies: kubectl apply succeeded/);
  });

  test("--keep-running leaves everything up and prints commands that work, until stopped", async () => {
    const out = capturedOutput();
    let printed: (text: string) => void = () => {};
    const commandsPrinted = new Promise<string>((resolve) => (printed = resolve));
    const stdout = out.stdout.bind(out);
    out.stdout = (text) => {
      stdout(text);
      if (text.includes("Ctrl-C")) printed(text);
    };
    const stop = new AbortController();
    const running = runDemo({ keepRunning: true, dir: join(dir, "kept"), timeFactor: "30" }, out, {
      main,
      env: { ...process.env, POOLKEEPER_KUBECTL: kubectl },
      steps: ["v1beta1-refused", "check-explains", "fix-converts", "webhook-denies", "gate-accepts"],
      signal: stop.signal,
    });
    try {
      const text = await Promise.race([
        commandsPrinted,
        running.then((code): string =>
          assert.fail(`the demo ended (${code}) before printing its commands:\n${out.out}`),
        ),
      ]);
      const kubeconfig = /kubectl --kubeconfig (\S+) get nodepools,nodeclaims,nodes/.exec(text)?.[1];
      const url = /git clone (\S+) pools/.exec(text)?.[1];
      assert.ok(kubeconfig !== undefined && url !== undefined, text);

      const pools = await new Promise<string>((resolve, reject) =>
        execFile(kubectl, ["--kubeconfig", kubeconfig, "get", "nodepools", "-o", "name"], (error, stdout, stderr) =>
          error ? reject(new Error(stderr)) : resolve(stdout),
        ),
      );
      assert.deepEqual(pools.trim().split("\n").sort(), [
        "nodepool.karpenter.sh/general-purpose",
        "nodepool.karpenter.sh/gpu",
      ]);
      const clone = join(dir, "clone");
      const git = (args: string[], cwd?: string) =>
        new Promise<string>((resolve, reject) =>
          execFile("git", args, { cwd }, (error, stdout, stderr) =>
            error ? reject(new Error(stderr)) : resolve(stdout),
          ),
        );
      await git(["clone", "--quiet", url, clone]);
      // The status commits are dated by the world's clock: the scenario starts on Wednesday 2026-03-04 at 10:00 UTC.
      const dates = (await git(["log", "--format=%cI", "origin/poolkeeper-status"], clone)).trim().split("\n");
      assert.ok(dates.length > 0 && dates.every((date) => date.startsWith("2026-03-04T10:")), dates.join(", "));
      const history = capturedOutput();
      assert.equal(await main(["history", "--repo", url, "--format", "json"], history), 0, history.err);
      const rows = JSON.parse(history.out) as { kind: string; reason: string }[];
      assert.ok(
        rows.some((row) => row.kind === "accepted"),
        history.out,
      );
    } finally {
      // A failed assertion must not leave the demo (and its poolkeeper run) running.
      stop.abort();
    }
    assert.equal(await running, 0);
    assert.match(out.out, /all 5 steps held/);
  });
});
