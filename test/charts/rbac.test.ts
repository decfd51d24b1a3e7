// The chart's RBAC is exactly what the code asks of the API server. The permissions are derived from the code
// (test/support/rbac-from-code.ts: every Cluster port call in the files each mode's processes load) and compared
// with the roles the chart renders, both ways, with no wildcard anywhere; then the rendered roles are applied to
// the simulated API server, whose authorizer is RBAC's, and the chart's ServiceAccount is asked `kubectl auth
// can-i` for each derived permission and runs the leader election poolkeeper run uses.
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { parse, stringify } from "yaml";
import { KubeCluster, LeaderElector, loadKubeConfig } from "../../adapters/kube/index.ts";
import { FakeClock } from "../support/fake-clock.ts";
import {
  NAMESPACE,
  one,
  podSpec,
  REQUIRED_VALUES,
  template,
  withValues,
  type KubeObject,
} from "../support/helm-chart.ts";
import { clusterCalls, permissionsOf, reachableFiles, type Permission } from "../support/rbac-from-code.ts";
import { startSimKube, type SimKube } from "../support/sim-kube.ts";

/** What each mode runs: policy mode `serve` and `sync`; autoscaler mode `run` (its loops, its leader election). */
const MODE_ROOTS = {
  policy: ["cli/commands/serve.ts", "cli/commands/sync.ts"],
  autoscaler: ["cli/commands/run.ts", "controller/index.ts", "adapters/kube/index.ts"],
};
const AUTOSCALER_VALUES = withValues(REQUIRED_VALUES, { mode: "autoscaler" });
const LEASE = "poolkeeper-leader-election";

interface Rule {
  apiGroups?: string[];
  resources?: string[];
  verbs?: string[];
  resourceNames?: string[];
  nonResourceURLs?: string[];
}

function key(p: Pick<Permission, "group" | "resource" | "verb">): string {
  return `${p.group === "" ? "core" : p.group} ${p.resource} ${p.verb}`;
}

/** Each (group, resource, verb) a role's rules grant. */
function granted(roles: readonly KubeObject[]): string[] {
  return roles
    .flatMap((role) =>
      ((role.rules as Rule[] | undefined) ?? []).flatMap((rule) =>
        (rule.apiGroups ?? []).flatMap((group) =>
          (rule.resources ?? []).flatMap((resource) =>
            (rule.verbs ?? []).map((verb) => key({ group, resource, verb })),
          ),
        ),
      ),
    )
    .filter((entry, index, all) => all.indexOf(entry) === index)
    .sort();
}

const isLease = (p: Permission) => p.group === "coordination.k8s.io" && p.resource === "leases";

function derive(): Record<keyof typeof MODE_ROOTS, { permissions: Permission[]; unresolved: string[] }> {
  const { calls, unresolved } = clusterCalls([...MODE_ROOTS.policy, ...MODE_ROOTS.autoscaler], ["sim/"]);
  const forMode = (roots: string[]) => {
    const files = reachableFiles(roots);
    const inMode = (at: string) => files.has(at.slice(0, at.lastIndexOf(":")));
    return {
      permissions: permissionsOf(calls.filter((call) => inMode(call.at))),
      unresolved: unresolved.filter((line) => inMode(line.slice(0, line.indexOf(": ")))),
    };
  };
  return { policy: forMode(MODE_ROOTS.policy), autoscaler: forMode(MODE_ROOTS.autoscaler) };
}

describe("the chart's RBAC, derived from the code", () => {
  let derived: ReturnType<typeof derive>;
  let autoscaler: KubeObject[];

  before(async () => {
    derived = derive();
    const rendered = await template(AUTOSCALER_VALUES);
    assert.equal(rendered.code, 0, rendered.stderr);
    autoscaler = rendered.objects;
  });

  test("every call's resource is a literal the derivation can read", () => {
    assert.deepEqual(derived.policy.unresolved, []);
    assert.deepEqual(derived.autoscaler.unresolved, []);
  });

  for (const mode of ["policy", "autoscaler"] as const) {
    test(`${mode} mode: the ClusterRole grants exactly what the mode's code calls, with no wildcard`, async () => {
      // Policy mode calls the API only as sync --apply (controller.apply).
      const values = mode === "policy" ? { mode, controller: { apply: true } } : { mode };
      const { code, stderr, objects } = await template(withValues(REQUIRED_VALUES, values));
      assert.equal(code, 0, stderr);
      const roles = objects.filter((o) => o.kind === "ClusterRole" || o.kind === "Role");
      for (const role of roles) {
        for (const rule of (role.rules as Rule[] | undefined) ?? []) {
          const fields = [rule.apiGroups, rule.resources, rule.verbs, rule.resourceNames, rule.nonResourceURLs];
          assert.ok(!fields.some((f) => f?.some((v) => v.includes("*"))), `no wildcard in ${JSON.stringify(rule)}`);
        }
      }
      const clusterWide = derived[mode].permissions.filter((p) => !isLease(p));
      assert.deepEqual(
        granted(objects.filter((o) => o.kind === "ClusterRole")),
        clusterWide.map(key).sort(),
        `charts/poolkeeper/rbac/${mode}-cluster-rules.yaml must grant exactly:\n` +
          stringify(
            clusterWide.map((p) => ({ apiGroups: [p.group], resources: [p.resource], verbs: [p.verb] })),
            { collectionStyle: "flow" },
          ),
      );
      // The pods get a token only where the code calls the API, and the webhook never.
      const controller = objects.find((o) => o.kind === "Deployment" && o.metadata.name === "poolkeeper-controller");
      const webhook = objects.find((o) => o.kind === "Deployment" && o.metadata.name === "poolkeeper-webhook");
      assert.equal(webhook && podSpec(webhook).automountServiceAccountToken, false);
      const calls = derived[mode].permissions.length > 0;
      if (controller) assert.equal(podSpec(controller).automountServiceAccountToken, calls);
      assert.equal(one(objects, "ServiceAccount").automountServiceAccountToken, calls);
    });
  }

  test("policy mode without controller.apply runs sync alone: no ClusterRole rule, no Lease, no token", async () => {
    const { code, stderr, objects } = await template(withValues(REQUIRED_VALUES, { mode: "policy" }));
    assert.equal(code, 0, stderr);
    assert.deepEqual(granted(objects.filter((o) => o.kind === "ClusterRole" || o.kind === "Role")), []);
    assert.equal(one(objects, "ServiceAccount").automountServiceAccountToken, false);
  });

  test("policy mode never drains: sync --apply may not touch pods, nodes or evictions", () => {
    assert.deepEqual(
      derived.policy.permissions.filter((p) => p.group === "" && p.resource !== "events"),
      [],
    );
  });

  test("autoscaler mode: the leader-election Role grants the Lease calls, by name wherever the verb allows one", () => {
    // The kube-dns Role is run's discovery of the kubelets' clusterDNS (adapters/kube/cluster-discovery.ts), a GET
    // outside the Cluster port: it may read that one Service, as Karpenter's karpenter-dns Role.
    const dns = autoscaler.filter((o) => o.kind === "Role" && o.metadata.name.endsWith("-dns"));
    assert.deepEqual(
      ((dns[0]?.rules as Rule[]) ?? []).map((r) => [r.apiGroups, r.resources, r.verbs, r.resourceNames]),
      [[[""], ["services"], ["get"], ["kube-dns"]]],
    );
    assert.equal(dns[0]?.metadata.namespace, "kube-system");
    const role = autoscaler.filter((o) => o.kind === "Role" && !o.metadata.name.endsWith("-dns"));
    assert.deepEqual(granted(role), derived.autoscaler.permissions.filter(isLease).map(key).sort());
    assert.deepEqual(
      ((role[0]?.rules as Rule[]) ?? []).map((r) => [r.verbs, r.resourceNames]),
      [
        [["create"], undefined],
        [["get", "update"], [LEASE]],
      ],
    );
    for (const binding of autoscaler.filter((o) => o.kind.endsWith("Binding"))) {
      assert.deepEqual(binding.subjects, [{ kind: "ServiceAccount", name: "poolkeeper", namespace: NAMESPACE }]);
    }
  });

  describe("applied to the simulated API server", () => {
    let sim: SimKube;
    let kubeconfig: string;

    before(async () => {
      sim = await startSimKube();
      const manifests = autoscaler.filter(
        (o) => ["ServiceAccount", "ClusterRole", "Role"].includes(o.kind) || o.kind.endsWith("RoleBinding"),
      );
      const applied = await sim.kubectl(["apply", "-f", "-"], {
        stdin: manifests.map((o) => stringify(o)).join("---\n"),
      });
      assert.equal(applied.code, 0, applied.stderr);
      const token = await sim.kubectl(["create", "token", "poolkeeper", "-n", NAMESPACE]);
      assert.equal(token.code, 0, token.stderr);
      const config = parse(sim.server.kubeconfig()) as { users: { user: { token: string } }[] };
      for (const user of config.users) user.user.token = token.stdout.trim();
      kubeconfig = join(sim.dir, "poolkeeper-sa.kubeconfig");
      writeFileSync(kubeconfig, stringify(config));
    });

    after(async () => {
      await sim.stop();
    });

    test("the ServiceAccount may do each derived call, and nothing the code does not call", async () => {
      for (const p of derived.autoscaler.permissions) {
        const [resource, subresource] = p.resource.split("/");
        const target = p.group === "" ? resource : `${resource}.${p.group}`;
        const named = p.resource === "leases" && p.verb !== "create" ? `${target}/${LEASE}` : target;
        const args = ["auth", "can-i", p.verb, named as string, ...(subresource ? ["--subresource", subresource] : [])];
        const answer = await sim.kubectl([...args, ...(p.namespaced ? ["-n", NAMESPACE] : [])], { kubeconfig });
        assert.equal(answer.stdout.trim(), "yes", `${args.join(" ")}: ${answer.stderr}`);
      }
      for (const [verb, target] of [
        ["delete", "leases.coordination.k8s.io/poolkeeper-leader-election"],
        ["get", "leases.coordination.k8s.io/kube-controller-manager"],
        ["get", "secrets"],
        ["create", "pods"],
      ] as const) {
        const answer = await sim.kubectl(["auth", "can-i", verb, target, "-n", NAMESPACE], { kubeconfig });
        assert.equal(answer.stdout.trim(), "no", `${verb} ${target}`);
      }
      // run stays passive while Karpenter holds its leader Lease: it may read that one Lease where Karpenter keeps
      // it (the chart passes the same name and namespace to run), and write none there.
      const karpenterLease = ["leases.coordination.k8s.io/karpenter-leader-election", "-n", "kube-system"];
      const read = await sim.kubectl(["auth", "can-i", "get", ...karpenterLease], { kubeconfig });
      assert.equal(read.stdout.trim(), "yes", read.stderr);
      const write = await sim.kubectl(["auth", "can-i", "update", ...karpenterLease], { kubeconfig });
      assert.equal(write.stdout.trim(), "no");
      const args = podSpec(one(autoscaler, "Deployment", "poolkeeper-controller")).containers?.[0]?.args ?? [];
      for (const arg of [
        "--karpenter-lease-name=karpenter-leader-election",
        "--karpenter-lease-namespace=kube-system",
        `--leader-election-name=${LEASE}`,
        `--leader-election-namespace=${NAMESPACE}`,
      ])
        assert.ok(args.includes(arg), `run is given ${arg}: ${args.join(" ")}`);
    });

    test("poolkeeper's leader election runs as the ServiceAccount and takes the chart's Lease", async () => {
      const clock = new FakeClock(new Date("2026-03-01T12:00:00Z"));
      const cluster = new KubeCluster({ kubeConfig: loadKubeConfig({ kubeconfig }), clock, resyncPeriodMs: 0 });
      const elector = new LeaderElector(cluster, {
        namespace: NAMESPACE,
        name: LEASE,
        identity: "poolkeeper-0",
        clock,
      });
      try {
        elector.start();
        await clock.untilPending(1);
        assert.equal(elector.isLeader, true);
        clock.step(2000);
        await clock.untilPending(1);
        const lease = await sim.kubectl(["get", "lease", LEASE, "-n", NAMESPACE, "-o", "json"]);
        const spec = (JSON.parse(lease.stdout) as { spec: { holderIdentity: string; renewTime: string } }).spec;
        assert.deepEqual([spec.holderIdentity, spec.renewTime], ["poolkeeper-0", "2026-03-01T12:00:02.000000Z"]);
        await elector.stop();
      } finally {
        await cluster.stop();
      }
    });
  });
});
