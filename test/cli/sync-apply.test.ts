// `poolkeeper sync --apply` beside a simulated "Karpenter": the command, in process, against a real Git server and
// the simulated API server over HTTPS (kubeconfig, the real adapter). The test plays Karpenter with kubectl:
// it creates NodeClaims, marks one initialized, records Karpenter's DisruptionTerminating Event on it and deletes
// it; the status branch (read with the git CLI) holds each happening exactly once, also after a restart that
// re-reads every NodeClaim and Event. Two replicas: one leads and applies, the other stands by until it is gone.
// The replicas run as a ServiceAccount granted exactly the permissions docs/operations.md lists, which the simulated
// API server authorizes request by request.
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { parse, stringify } from "yaml";
import { runSync, type SyncOptions } from "../../cli/commands/sync.ts";
import { capturedOutput } from "../../cli/output.ts";
import type { SyncResult } from "../../gitops/sync.ts";
import { startGitServer, type GitServer } from "../support/git-server.ts";
import { guardAgainstHang } from "../support/hang-guard.ts";
import { captureLog, type LogCapture } from "../support/log-capture.ts";
import { createPoolRepo, gitCli, type PoolRepo } from "../support/pool-repo.ts";
import { startSimKube, type SimKube } from "../support/sim-kube.ts";

const AUTH = { username: "ci", password: "apply-Pa55-s3cret" };
const ENV = { POOLKEEPER_GIT_USERNAME: AUTH.username, POOLKEEPER_GIT_PASSWORD: AUTH.password };

/** docs/operations.md "Permissions", as a ServiceAccount's roles. */
const RBAC = `
apiVersion: v1
kind: Namespace
metadata: {name: poolkeeper}
---
apiVersion: v1
kind: ServiceAccount
metadata: {name: poolkeeper, namespace: poolkeeper}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: poolkeeper-sync}
rules:
- apiGroups: [karpenter.sh]
  resources: [nodepools]
  verbs: [get, list, watch, patch, delete]
- apiGroups: [karpenter.k8s.aws]
  resources: [ec2nodeclasses]
  verbs: [get, list, watch, patch, delete]
- apiGroups: [karpenter.sh]
  resources: [nodeclaims]
  verbs: [get, list, watch]
- apiGroups: [""]
  resources: [events]
  verbs: [list, watch, create, patch]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: poolkeeper-sync}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: poolkeeper-sync}
subjects:
- {kind: ServiceAccount, name: poolkeeper, namespace: poolkeeper}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: poolkeeper-sync-leader-election, namespace: poolkeeper}
rules:
- apiGroups: [coordination.k8s.io]
  resources: [leases]
  verbs: [get, create, update]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: poolkeeper-sync-leader-election, namespace: poolkeeper}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: poolkeeper-sync-leader-election}
subjects:
- {kind: ServiceAccount, name: poolkeeper, namespace: poolkeeper}
`;

/** A NodeClaim as Karpenter creates it for the pool `default`. */
function nodeClaim(name: string): string {
  return JSON.stringify({
    apiVersion: "karpenter.sh/v1",
    kind: "NodeClaim",
    metadata: { name, labels: { "karpenter.sh/nodepool": "default" } },
    spec: {
      nodeClassRef: { group: "karpenter.k8s.aws", kind: "EC2NodeClass", name: "default" },
      requirements: [{ key: "karpenter.sh/capacity-type", operator: "In", values: ["spot"] }],
    },
  });
}

/** The labels Karpenter puts on a NodeClaim it launched into an on-demand m5.large, and the capacity it records. */
const LAUNCHED = {
  "node.kubernetes.io/instance-type": "m5.large",
  "topology.kubernetes.io/zone": "us-west-2a",
  "karpenter.sh/capacity-type": "on-demand",
};
const CAPACITY = { cpu: "2", memory: "7934464Ki", pods: "29" };

/** The Event Karpenter's disruption queue records on a NodeClaim it disrupts. */
function disruptionEvent(nodeClaimName: string, reason: string): string {
  return JSON.stringify({
    apiVersion: "v1",
    kind: "Event",
    metadata: { name: `${nodeClaimName}.disruption`, namespace: "default" },
    involvedObject: { apiVersion: "karpenter.sh/v1", kind: "NodeClaim", name: nodeClaimName },
    reason: "DisruptionTerminating",
    message: `Disrupting NodeClaim: ${reason}`,
    type: "Normal",
    source: { component: "karpenter" },
    firstTimestamp: "2026-03-01T12:20:00Z",
    lastTimestamp: "2026-03-01T12:20:00Z",
  });
}

interface Replica {
  log: LogCapture;
  syncs: SyncResult[];
  /** Resolves after the replica's first sync (and apply). */
  synced: Promise<void>;
  stop(): Promise<number>;
}

describe("poolkeeper sync --apply beside Karpenter", () => {
  let git: GitServer;
  let kube: SimKube;
  let tmp: string;
  let repo: PoolRepo;
  /** The ServiceAccount's kubeconfig: the server and CA of the admin one, the account's token. */
  let kubeconfig: string;
  let n = 0;
  const savedEnv = { ...process.env };

  before(async () => {
    git = await startGitServer({ auth: AUTH });
    tmp = mkdtempSync(join(tmpdir(), "poolkeeper-sync-apply-"));
    Object.assign(process.env, ENV);
    kube = await startSimKube();
    repo = await createPoolRepo(git, "pools", tmp, AUTH);
    await kubectl(["apply", "-f", "-"], RBAC);
    const token = await kube.kubectl(["create", "token", "poolkeeper", "-n", "poolkeeper"]);
    assert.equal(token.code, 0, token.stderr);
    const config = parse(readFileSync(kube.kubeconfig, "utf8")) as { users: { user: Record<string, unknown> }[] };
    for (const entry of config.users) entry.user = { token: token.stdout.trim() };
    kubeconfig = join(tmp, "kubeconfig-poolkeeper");
    writeFileSync(kubeconfig, stringify(config));
  });
  after(async () => {
    process.env = savedEnv;
    await kube.stop();
    await git.stop();
    rmSync(tmp, { recursive: true, force: true });
  });

  /** Starts `sync --apply` in process with its own cache (a replica of its own). */
  function replica(): Replica {
    const log = captureLog({ level: "info" });
    const syncs: SyncResult[] = [];
    let onSynced = () => {};
    const synced = guardAgainstHang(new Promise<void>((resolve) => (onSynced = resolve)), "the replica's first sync");
    const stop = new AbortController();
    const options: SyncOptions = {
      repo: repo.url,
      branch: "main",
      once: false,
      cacheDir: join(tmp, `cache-${++n}`),
      status: true,
      format: "text",
      port: "0",
      host: "127.0.0.1",
      logLevel: "info",
      apply: true,
      kubeconfig,
      leaderElectionNamespace: "poolkeeper",
    };
    const running = runSync(options, capturedOutput(), {
      signal: stop.signal,
      env: { ...ENV },
      log: log.destination,
      onSync: (result) => {
        syncs.push(result);
        onSynced();
      },
    });
    return {
      log,
      syncs,
      synced,
      stop: () => {
        stop.abort();
        return guardAgainstHang(running, "the replica to stop");
      },
    };
  }

  async function kubectl(args: string[], stdin?: string): Promise<void> {
    const result = await kube.kubectl(args, stdin === undefined ? {} : { stdin });
    assert.equal(result.code, 0, result.stderr);
  }

  /** The status branch's event trailers, read with the git CLI. */
  async function statusEvents(): Promise<string[]> {
    await gitCli(repo.work, "fetch", "--quiet", repo.pushUrl, "+poolkeeper-status:refs/remotes/check/status");
    const log = await gitCli(
      repo.work,
      "log",
      "--format=%(trailers:key=Poolkeeper-Event,valueonly)",
      "refs/remotes/check/status",
    );
    return log.split("\n").filter((l) => l.trim() !== "");
  }

  const audited = (log: LogCapture, event: string, nodeClaimName: string) =>
    log.line((l) => l.event === event && l.nodeClaim === nodeClaimName);

  /** Plays Karpenter while `replica` leads: two NodeClaims, one initialized, disrupted and deleted. */
  async function recordKarpenter(first: Replica): Promise<void> {
    await first.synced;
    const pool = await kube.kubectl(["get", "nodepool", "default", "-o", "jsonpath={.spec.limits.cpu}"]);
    assert.equal(pool.stdout, "1000");

    await kubectl(["create", "-f", "-"], nodeClaim("default-a1b2c"));
    await kubectl(["create", "-f", "-"], nodeClaim("default-x9y8z"));
    await audited(first.log, "provisioned", "default-a1b2c");
    await audited(first.log, "provisioned", "default-x9y8z");
    await kubectl([
      "patch",
      "nodeclaim",
      "default-a1b2c",
      "--subresource=status",
      "--type=merge",
      "-p",
      JSON.stringify({
        status: {
          nodeName: "ip-10-0-1-17.us-west-2.compute.internal",
          conditions: [
            {
              type: "Initialized",
              status: "True",
              reason: "Initialized",
              message: "",
              lastTransitionTime: "2026-03-01T12:03:00Z",
            },
          ],
        },
      }),
    ]);
    await audited(first.log, "initialized", "default-a1b2c");
    await kubectl(["create", "-f", "-"], disruptionEvent("default-a1b2c", "Underutilized"));
    await audited(first.log, "consolidated", "default-a1b2c");
    await kubectl(["delete", "nodeclaim", "default-a1b2c"]);
    // The other launches as Karpenter records a launch: the offering in its labels, the instance's capacity.
    await kubectl(["label", "nodeclaim", "default-x9y8z", ...Object.entries(LAUNCHED).map(([k, v]) => `${k}=${v}`)]);
    await kubectl([
      "patch",
      "nodeclaim",
      "default-x9y8z",
      "--subresource=status",
      "--type=merge",
      "-p",
      JSON.stringify({
        status: {
          providerID: "aws:///us-west-2a/i-0abc",
          nodeName: "ip-10-0-1-18.us-west-2.compute.internal",
          capacity: CAPACITY,
          conditions: [
            {
              type: "Initialized",
              status: "True",
              reason: "Initialized",
              message: "",
              lastTransitionTime: "2026-03-01T12:04:00Z",
            },
          ],
        },
      }),
    ]);
    await audited(first.log, "initialized", "default-x9y8z");
  }

  it("applies the pools and records what Karpenter did with them in the status branch, each exactly once", async () => {
    const first = replica();
    try {
      await recordKarpenter(first);
    } finally {
      assert.equal(await first.stop(), 0);
    }

    // A restart (a new replica, a new clone) re-reads every NodeClaim and Event: nothing is recorded twice.
    const second = replica();
    await second.log.line("recording what Karpenter does in the status branch");
    assert.equal(await second.stop(), 0);
    assert.equal(
      second.log.lines.filter((l) => typeof l.event === "string" && typeof l.nodeClaim === "string").length,
      0,
      "the restarted replica found nothing new",
    );

    const events = await statusEvents();
    const about = (name: string) => events.filter((e) => e.split(":")[0]?.split(" ")[2] === name).sort();
    assert.deepEqual(about("default-a1b2c"), [
      "consolidated default default-a1b2c: Karpenter disrupted NodeClaim default-a1b2c: Underutilized",
      "initialized default default-a1b2c: NodeClaim default-a1b2c initialized as node ip-10-0-1-17.us-west-2.compute.internal",
      "provisioned default default-a1b2c: Karpenter created NodeClaim default-a1b2c for NodePool default",
    ]);
    assert.deepEqual(about("default-x9y8z"), [
      "initialized default default-x9y8z: NodeClaim default-x9y8z initialized as node ip-10-0-1-18.us-west-2.compute.internal (m5.large, us-west-2a, on-demand)",
      "provisioned default default-x9y8z: Karpenter created NodeClaim default-x9y8z for NodePool default",
    ]);

    // The pool's status file counts the NodeClaim Karpenter runs (the deleted one is gone), at its capacity, priced
    // at the catalog's on-demand price for its type (data/ec2-instance-types.json, read here).
    const { pool } = parse(await gitCli(repo.work, "show", "refs/remotes/check/status:status/prod/default.yaml")) as {
      pool: Record<string, unknown>;
    };
    const catalog = JSON.parse(
      readFileSync(join(import.meta.dirname, "../../data/ec2-instance-types.json"), "utf8"),
    ) as {
      name: string;
      onDemandUsd: number;
    }[];
    assert.deepEqual(pool["nodes"], {
      byInstanceType: { "m5.large": 1 },
      byZone: { "us-west-2a": 1 },
      byCapacityType: { "on-demand": 1 },
    });
    assert.deepEqual(pool["usage"], { cpu: CAPACITY.cpu, memory: CAPACITY.memory, nodes: 1 });
    assert.equal(pool["hourlyCostUsd"], catalog.find((t) => t.name === "m5.large")?.onDemandUsd);
    assert.equal(events.filter((e) => e === "applied default: created NodePool default from Git").length, 1);
  });

  it("two replicas: one leads and applies, the other stands by and takes over when the leader stops", async () => {
    const replicas = [replica(), replica()];
    const holder = async () => {
      const lease = [
        "get",
        "lease",
        "-n",
        "poolkeeper",
        "poolkeeper-sync-prod",
        "-o",
        "jsonpath={.spec.holderIdentity}",
      ];
      const got = await kube.kubectl(lease);
      assert.equal(got.code, 0, got.stderr);
      return got.stdout;
    };
    try {
      for (const r of replicas) await r.log.line("standing by until this replica holds the lease");
      const leading = await Promise.race(
        replicas.map((r, i) => r.log.line("recording what Karpenter does in the status branch").then(() => i)),
      );
      const leader = replicas[leading] as Replica;
      const standby = replicas[1 - leading] as Replica;
      await leader.synced;
      const first = await holder();
      assert.notEqual(first, "");
      assert.ok(!standby.log.lines.some((l) => l.msg === "leading"), "the standby does not lead");
      assert.equal(standby.syncs.length, 0, "the standby neither syncs nor applies");

      const from = standby.log.lines.length;
      assert.equal(await leader.stop(), 0);
      // The leader released its Lease on the way out: the standby takes it at its next attempt.
      await standby.log.line("recording what Karpenter does in the status branch", from);
      await standby.synced;
      const second = await holder();
      assert.notEqual(second, "");
      assert.notEqual(second, first);
    } finally {
      for (const code of await Promise.all(replicas.map((r) => r.stop()))) assert.equal(code, 0);
    }
  });
});
