// `poolkeeper run` as a deployment runs it: child processes against the simulated world's Kubernetes API over
// HTTPS (the real client-node adapter), on the world's scaled clock (POOLKEEPER_SIM_CLOCK, time ×10), following a
// local pool repository. Everything waited for is an event — a log line, a Lease version — never a time: it
// starts, leads and is ready; of two replicas one leads, and when it is killed (SIGKILL) the standby takes over,
// never before the lease it saw has expired; a Karpenter controller holding its leader lease keeps `run` passive
// with the reason in /readyz and the log; bad settings are exit 2 naming file:line:col, the flag or the variable;
// SIGTERM stops it cleanly and releases the lease.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { cpSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ScaledClock } from "../../api/index.ts";
import { main } from "../../cli/main.ts";
import { capturedOutput } from "../../cli/output.ts";
import { World, type KubeObject, type ServedWorld } from "../../sim/index.ts";
import { gitCli, poolRepoFixture } from "../support/pool-repo.ts";
import { startPoolkeeper, type PoolkeeperProcess } from "../support/poolkeeper-process.ts";
import { kindOf } from "../support/sim-world.ts";

const FACTOR = 10;
// The defaults `run --help` states (controller-runtime's): the lease lasts 15 s.
const LEASE_MS = 15_000;

let dir: string;
let world: World;
let served: ServedWorld;
let kubeconfig: string;
let repo: string;
let env: NodeJS.ProcessEnv;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), "poolkeeper-run-"));
  const clock = new ScaledClock({ start: new Date("2026-03-01T12:00:00Z"), factor: FACTOR });
  world = new World({
    clock,
    seed: 0,
    run: { scheduler: false, kubelets: false, volumes: false, nodeLifecycle: false },
  }).start();
  served = await world.serve({ dir });
  kubeconfig = join(dir, "kubeconfig");
  writeFileSync(kubeconfig, served.kube.kubeconfig());
  repo = join(dir, "repo");
  cpSync(poolRepoFixture, repo, { recursive: true });
  await gitCli(repo, "init", "--quiet", "--initial-branch=main");
  await gitCli(repo, "add", "-A");
  await gitCli(repo, "commit", "--quiet", "-m", "pools");
  env = { ...process.env, POOLKEEPER_SIM_CLOCK: JSON.stringify(clock.publish()), HOME: dir };
});

after(async () => {
  await world.stop();
  rmSync(dir, { recursive: true, force: true });
});

function runArgs(name: string, extra: string[], status = false): string[] {
  return [
    "run",
    "--repo",
    repo,
    "--cache-dir",
    join(dir, `cache-${name}`),
    "--kubeconfig",
    kubeconfig,
    "--port",
    "0",
    "--host",
    "127.0.0.1",
    ...(status ? [] : ["--no-status"]),
    "--aws-region",
    "us-west-2",
    "--aws-endpoint",
    served.aws.endpoint,
    ...extra,
  ];
}

function startRun(name: string, extra: string[] = [], options: { status?: boolean } = {}): PoolkeeperProcess {
  return startPoolkeeper(runArgs(name, extra, options.status), env);
}

/** `main` in this process, for what fails before the program starts anything; the environment set around it. */
async function runInProcess(
  args: string[],
  extraEnv: Record<string, string> = {},
): Promise<{ code: number; err: string }> {
  const out = capturedOutput();
  const saved = { ...process.env };
  Object.assign(process.env, extraEnv);
  try {
    return { code: await main(args, out), err: out.err };
  } finally {
    for (const name of Object.keys(extraEnv)) Reflect.deleteProperty(process.env, name);
    Object.assign(process.env, saved);
  }
}

const msg = (text: string) => (line: Record<string, unknown>) => line.msg === text;

async function portOf(run: PoolkeeperProcess): Promise<number> {
  return Number((await run.line(msg("serving /healthz, /readyz and /metrics"), "the listener")).port);
}

async function get(port: number, path: string): Promise<{ status: number; body: string }> {
  const response = await fetch(`http://127.0.0.1:${port}${path}`);
  return { status: response.status, body: await response.text() };
}

function leases() {
  return kindOf(world.store, "coordination.k8s.io", "v1", "leases");
}

function leaseSpec(name: string): { holderIdentity?: string; acquireTime?: string; renewTime?: string } {
  return (world.store.get(leases(), "kube-system", name).spec ?? {}) as {
    holderIdentity?: string;
    acquireTime?: string;
    renewTime?: string;
  };
}

/** Every version of a Lease the store makes from now on. */
function recordLease(name: string): { versions: KubeObject[]; stop(): void } {
  const versions: KubeObject[] = [];
  const watch = world.store.watch(leases(), { resourceVersion: String(world.store.resourceVersion) }, (event) => {
    if (event.object.metadata?.name === name && event.type !== "BOOKMARK") versions.push(event.object);
  });
  return { versions, stop: () => watch.stop() };
}

describe("poolkeeper run", () => {
  test("starts, leads, is ready and serves its metrics; SIGTERM stops it with exit 0 and releases the lease", async (t) => {
    const run = startRun("single", ["--leader-election-name", "run-single"]);
    t.after(() => run.kill());
    const port = await portOf(run);
    await run.line(msg("controller manager leading"), "leading");
    const ready = await get(port, "/readyz");
    assert.deepEqual(ready, { status: 200, body: "ok\n" });
    assert.equal((await get(port, "/healthz")).status, 200);
    const metrics = await get(port, "/metrics");
    assert.match(metrics.body, /^poolkeeper_controller_manager_phase\{phase="leading"\} 1$/m);
    assert.match(metrics.body, /^poolkeeper_kube_client_requests_total\{[^}]*resource="leases"[^}]*\} [1-9]\d*$/m);
    const started = run.lines.find(msg("starting"));
    assert.deepEqual(started?.loops, [
      "gitops.sync",
      "provisioner",
      "nodeclaim.lifecycle",
      "nodeclaim.garbagecollection",
      "node.termination",
      "disruption",
    ]);
    assert.match(String(leaseSpec("run-single").holderIdentity), /_[0-9a-f-]{36}$/);
    run.child.kill("SIGTERM");
    assert.equal(await run.exit(), 0, run.stderr());
    assert.equal(leaseSpec("run-single").holderIdentity, "", "released on the way out");
    const loopStopped = run.lines.findIndex((l) => l.msg === "stopped" && l.controller === "gitops.sync");
    const managerStopped = run.lines.findIndex(msg("controller manager stopped"));
    const exited = run.lines.findIndex((l) => l.msg === "stopped" && l.exitCode === 0);
    assert.ok(0 <= loopStopped && loopStopped < managerStopped && managerStopped < exited, "loops, manager, process");
  });

  test("two replicas: one leads; the leader is killed and the standby takes over once the lease has expired", async () => {
    const name = "run-failover";
    const history = recordLease(name);
    const a = startRun("a", ["--leader-election-name", name]);
    const b = startRun("b", ["--leader-election-name", name]);
    try {
      const first = await Promise.race([
        a.line(msg("controller manager leading"), "a leading").then(() => ({ leader: a, standby: b })),
        b.line(msg("controller manager leading"), "b leading").then(() => ({ leader: b, standby: a })),
      ]);
      const { leader, standby } = first;
      const standbyLine = await standby.line(msg("controller manager standby"), "the other standing by");
      assert.match(
        String(standbyLine.reason),
        /standing by: the leader lease kube-system\/run-failover is another replica's/,
      );
      const standbyPort = await portOf(standby);
      assert.deepEqual(await get(standbyPort, "/readyz"), { status: 200, body: "ok\n" }, "a standby is ready");

      const leaderIdentity = String(leaseSpec(name).holderIdentity);
      await leader.kill("SIGKILL");
      const from = standby.lines.length;
      await standby.line(msg("controller manager leading"), "the standby leading", from);
      const takeover = leaseSpec(name);
      assert.notEqual(takeover.holderIdentity, leaderIdentity);
      // The killed leader's last renewal, from the Lease's versions: the standby's acquireTime is at least a lease
      // duration after it (on the world's clock, which both processes keep), so the two never acted at once.
      const renewals = history.versions
        .map((v) => v.spec as { holderIdentity?: string; renewTime?: string })
        .filter((s) => s.holderIdentity === leaderIdentity);
      const lastRenewal = Date.parse(String(renewals.at(-1)?.renewTime));
      assert.ok(renewals.length > 0, "the leader renewed the lease");
      const gap = Date.parse(String(takeover.acquireTime)) - lastRenewal;
      assert.ok(gap >= LEASE_MS, `taken over ${gap} ms of simulated time after the last renewal`);
      const holders = history.versions.map((v) => (v.spec as { holderIdentity?: string }).holderIdentity);
      assert.deepEqual([...new Set(holders)], [leaderIdentity, takeover.holderIdentity], "two holders, in turn");
    } finally {
      history.stop();
      for (const p of [a, b]) if (p.child.exitCode === null && p.child.signalCode === null) p.child.kill("SIGTERM");
      await Promise.all([a.exit(), b.exit()]);
    }
  });

  test("a Karpenter controller holding its leader lease keeps run passive, saying why; its release lets run lead", async () => {
    const karpenterLease = "karpenter-leader-election";
    const lease = (): KubeObject => world.store.get(leases(), "kube-system", karpenterLease);
    world.store.create(leases(), "kube-system", {
      apiVersion: "coordination.k8s.io/v1",
      kind: "Lease",
      metadata: { name: karpenterLease, namespace: "kube-system" },
      spec: {
        holderIdentity: "karpenter-5f7d8c9b4-kq2lx_9a3c",
        leaseDurationSeconds: 15,
        renewTime: world.clock.now().toISOString(),
      },
    });
    // Karpenter renews every 2 s of the world's time, as its leader election does, until it shuts down.
    let renewing = true;
    const renew = (): void => {
      if (!renewing) return;
      const current = lease();
      world.store.update(leases(), "kube-system", karpenterLease, {
        ...current,
        spec: { ...(current.spec as object), renewTime: world.clock.now().toISOString() },
      });
      world.clock.afterFunc(2_000, renew);
    };
    renew();
    const run = startRun("karpenter", ["--leader-election-name", "run-karpenter"], { status: true });
    try {
      const port = await portOf(run);
      const passive = await run.line(msg("controller manager passive"), "passive");
      const reason =
        /a Karpenter controller holds the leader lease kube-system\/karpenter-leader-election \(holder karpenter-5f7d8c9b4-kq2lx_9a3c/;
      assert.match(String(passive.reason), reason);
      assert.equal(passive.level, "warn");
      const readyz = await get(port, "/readyz");
      assert.equal(readyz.status, 503);
      assert.match(readyz.body, /^not ready: a Karpenter controller holds the leader lease/);
      assert.match(readyz.body, /two provisioners would launch nodes for the same pods/);
      assert.equal(run.lines.find(msg("controller manager leading")), undefined, "never acted");
      // …and in the status branch, written by the replica holding poolkeeper's lease.
      await run.line(msg("status committed and pushed"), "the status written");
      const statusLog = await gitCli(repo, "log", "--format=%B", "poolkeeper-status");
      assert.match(statusLog, /^Poolkeeper-Event: paused: a Karpenter controller holds the leader lease/m);

      // Karpenter shuts down and releases its lease (ReleaseOnCancel): run leads.
      renewing = false;
      const from = run.lines.length;
      const current = lease();
      world.store.update(leases(), "kube-system", karpenterLease, {
        ...current,
        spec: { ...(current.spec as object), holderIdentity: "", leaseDurationSeconds: 1 },
      });
      await run.line(msg("controller manager leading"), "leading after Karpenter left", from);
      assert.deepEqual(await get(port, "/readyz"), { status: 200, body: "ok\n" });
      // The sync's own commits follow: look at each status commit until the one with the event.
      const resumedEvent = /^Poolkeeper-Event: resumed: no Karpenter controller holds its leader lease/m;
      for (let after = from; ;) {
        const written = await run.line(msg("status committed and pushed"), "the status written again", after);
        if (resumedEvent.test(await gitCli(repo, "log", "--format=%B", "poolkeeper-status"))) break;
        after = run.lines.indexOf(written) + 1;
      }
    } finally {
      renewing = false;
      run.child.kill("SIGTERM");
      assert.equal(await run.exit(), 0, run.stderr());
      world.store.delete(leases(), "kube-system", karpenterLease);
    }
  });

  test("bad settings are exit 2, each named by file:line:col, variable or flag", async () => {
    const config = join(dir, "bad-poolkeeper.yaml");
    writeFileSync(
      config,
      "apiVersion: poolkeeper.dev/v1alpha1\nkind: PoolkeeperConfig\nspec:\n  cluster: prod\n  controller:\n    leaseDuration: soon\n    dryRun: maybe\n",
    );
    const good = join(dir, "poolkeeper.yaml");
    writeFileSync(
      good,
      "apiVersion: poolkeeper.dev/v1alpha1\nkind: PoolkeeperConfig\nspec:\n  cluster: prod\n  controller:\n    renewDeadline: 20s\n",
    );
    const badFile = startRun("bad-file", ["--config", config]);
    // The same checks in this process (loading the program in three processes costs more than it proves).
    const badValues = await runInProcess(runArgs("bad-values", ["--config", good, "--cluster-name", "Prod_1"]), {
      POOLKEEPER_RETRY_PERIOD: "fast",
    });
    const order = await runInProcess(runArgs("bad-order", ["--config", good]));
    assert.equal(await badFile.exit(), 2);
    assert.match(
      badFile.stderr(),
      /bad-poolkeeper\.yaml:6:5: spec\.controller\.leaseDuration: invalid duration "soon"/,
    );
    assert.match(badFile.stderr(), /bad-poolkeeper\.yaml:7:5: spec\.controller\.dryRun must be boolean/);

    assert.equal(badValues.code, 2);
    assert.match(badValues.err, /--cluster-name "Prod_1": Invalid value: must be a DNS label/);
    assert.match(badValues.err, /POOLKEEPER_RETRY_PERIOD="fast": Invalid value: must be a Go duration/);

    assert.equal(order.code, 2);
    assert.match(
      order.err,
      /poolkeeper\.yaml:6:5: spec\.controller\.renewDeadline: the lease duration must be longer than the renew deadline|--lease-duration "15s": the lease duration must be longer than the renew deadline/,
    );
    assert.doesNotMatch(badFile.stderr() + badValues.err + order.err, /\n\s+at /, "no stack trace");
  });
});
