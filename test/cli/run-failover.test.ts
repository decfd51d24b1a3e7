// Leader failover of `poolkeeper run` under load (issue 25, item 3): two replicas as their own processes, each with
// its own ServiceAccount, against the simulated world on its scaled clock. While pods keep arriving, the leader is
// killed (SIGKILL). Judged from the world's records — the API server's audit log (who asked what, when, on the
// world's clock) and the Lease's versions: the standby takes over no sooner than a lease duration after the last
// renewal it saw (so never two acting at once), and within a lease duration and a retry period of it; every write
// the killed leader made came before the takeover, every write of the new leader after it; and the new leader acts
// — it creates NodeClaims for the pods that arrived.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { WRITE_VERBS } from "../../sim/index.ts";
import { startPoolkeeper, type PoolkeeperProcess } from "../support/poolkeeper-process.ts";
import { startProcessWorld, type ProcessWorld } from "../support/run-process-world.ts";
import { appDeployment, CLUSTER, NODE_POOL } from "../support/run-world.ts";
import { kindOf } from "../support/sim-world.ts";

/** Simulated seconds per wall second: slow enough that a loaded machine's timer delays stay well inside a retry. */
const FACTOR = 2;
// The defaults `run --help` states (controller-runtime's).
const LEASE_MS = 15_000;
const RETRY_MS = 2_000;
const LEASE = "poolkeeper-leader-election";

let w: ProcessWorld;

before(async () => {
  w = await startProcessWorld({
    factor: FACTOR,
    seed: 3,
    nodePool: NODE_POOL,
    config: `apiVersion: poolkeeper.dev/v1alpha1\nkind: PoolkeeperConfig\nspec:\n  cluster: ${CLUSTER}\n  pollInterval: 10s\n  coalesce: 0s\n`,
  });
});
after(async () => {
  await w?.stop();
});

type Json = Record<string, unknown>;
const msg = (text: string) => (line: Json) => line.msg === text;
const account = (name: string) => `system:serviceaccount:kube-system:${name}`;

test("the leader killed while pods arrive: the standby takes over within the lease, never beside it", async () => {
  const leases = kindOf(w.world.store, "coordination.k8s.io", "v1", "leases");
  const versions: { holderIdentity?: string; acquireTime?: string; renewTime?: string }[] = [];
  const watch = w.world.store.watch(leases, { resourceVersion: String(w.world.store.resourceVersion) }, (event) => {
    if (event.type !== "BOOKMARK" && event.object.metadata?.name === LEASE) versions.push(event.object.spec as never);
  });
  const replicas: Record<string, PoolkeeperProcess> = {};
  for (const name of ["replica-a", "replica-b"]) {
    replicas[name] = startPoolkeeper(w.runArgs(name, [], await w.serviceAccountKubeconfig(name)), w.env);
  }
  try {
    const [a, b] = [replicas["replica-a"], replicas["replica-b"]] as [PoolkeeperProcess, PoolkeeperProcess];
    const first = await Promise.race([
      a.line(msg("controller manager leading"), "a leading").then(() => "replica-a"),
      b.line(msg("controller manager leading"), "b leading").then(() => "replica-b"),
    ]);
    const second = first === "replica-a" ? "replica-b" : "replica-a";
    const leader = replicas[first] as PoolkeeperProcess;
    const standby = replicas[second] as PoolkeeperProcess;
    await standby.line(msg("controller manager standby"), "the other standing by");

    // Pods arrive; the leader acts on them; more arrive and the leader dies.
    const deployments = kindOf(w.world.store, "apps", "v1", "deployments");
    w.world.store.create(deployments, "default", appDeployment(8));
    await leader.line(msg("launched nodeclaim"), "the leader launching");
    const current = w.world.store.get(deployments, "default", "app");
    w.world.store.update(deployments, "default", "app", {
      ...current,
      spec: { ...(current.spec as object), replicas: 24 },
    });
    await leader.kill("SIGKILL");
    const from = standby.lines.length;
    await standby.line(msg("controller manager leading"), "the standby leading", from);
    // The new leader acts: NodeClaims for the pods that arrived (24 pods of 900m: six m5.xlarge).
    const claims = () => w.world.store.list(kindOf(w.world.store, "karpenter.sh", "v1", "nodeclaims"), {}).items;
    await standby.line(msg("launched nodeclaim"), "the new leader launching", from);

    const audit = w.served.kube.audit.entries();
    const leaderUser = account(first);
    const standbyUser = account(second);
    // The Lease's history: the killed leader's last renewal, the standby's acquisition (the clock both processes
    // keep is the world's: the times in the Lease are on it).
    const takeover = versions.findIndex(
      (v, i) => i > 0 && v.holderIdentity !== versions[i - 1]?.holderIdentity && v.holderIdentity !== "",
    );
    assert.ok(takeover > 0, `a takeover in the Lease's versions: ${JSON.stringify(versions)}`);
    const lastRenewal = Date.parse(String(versions[takeover - 1]?.renewTime));
    const acquired = Date.parse(String(versions[takeover]?.acquireTime));
    // When the standby saw that renewal: its first read of the Lease after the renewal's write was answered.
    const written = audit.filter(
      (e) =>
        e.user === leaderUser && e.resource === "leases" && e.name === LEASE && e.verb === "update" && e.code === 200,
    );
    const renewalWritten = Math.max(...written.map((e) => e.completedAt));
    const seen = audit.find(
      (e) =>
        e.user === standbyUser &&
        e.resource === "leases" &&
        e.name === LEASE &&
        e.verb === "get" &&
        e.receivedAt >= renewalWritten,
    );
    assert.ok(seen, "the standby read the Lease after the last renewal");
    assert.ok(
      acquired - lastRenewal >= LEASE_MS,
      `taken over ${acquired - lastRenewal} ms after the last renewal: never before it expired`,
    );
    assert.ok(
      acquired - seen.receivedAt <= LEASE_MS + RETRY_MS,
      `taken over ${acquired - seen.receivedAt} ms after the standby saw the last renewal (lease ${LEASE_MS} + retry ${RETRY_MS})`,
    );
    // Never two acting at once: the killed leader's writes all before the takeover, the new leader's all after.
    // The election's own requests are not acting: both replicas may find no Lease at the start and both create it,
    // and the loser's refused create names no object in its URL.
    const election = (e: (typeof audit)[number]) =>
      e.resource === "leases" && (e.name === LEASE || (e.verb === "create" && e.code === 409));
    const acting = (user: string) => audit.filter((e) => e.user === user && WRITE_VERBS.has(e.verb) && !election(e));
    const leaderWrites = acting(leaderUser);
    const standbyWrites = acting(standbyUser);
    assert.ok(leaderWrites.length > 0 && standbyWrites.length > 0, "both acted, in turn");
    const lastOfLeader = Math.max(...leaderWrites.map((e) => e.completedAt));
    const firstOfStandby = Math.min(...standbyWrites.map((e) => e.receivedAt));
    assert.ok(
      lastOfLeader <= acquired,
      `the killed leader's last write at ${lastOfLeader}, the takeover at ${acquired}: ${JSON.stringify(
        leaderWrites.filter((e) => e.completedAt > acquired),
      )}`,
    );
    assert.ok(
      firstOfStandby >= acquired,
      `the new leader's first write at ${firstOfStandby}, the takeover at ${acquired}: ${JSON.stringify(
        standbyWrites.filter((e) => e.receivedAt < acquired),
      )}`,
    );
    const created = standbyWrites.filter((e) => e.resource === "nodeclaims" && e.verb === "create");
    assert.ok(created.length > 0, "the new leader created NodeClaims");
    assert.ok(claims().length > 0);
  } finally {
    watch.stop();
    for (const p of Object.values(replicas))
      if (p.child.exitCode === null && p.child.signalCode === null) p.child.kill("SIGTERM");
    await Promise.all(Object.values(replicas).map((p) => p.exit()));
  }
});
