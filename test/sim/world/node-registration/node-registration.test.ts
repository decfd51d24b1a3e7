// Instances boot into Nodes only when launched right, judged in process on a fake clock: Karpenter's own user data
// (nodeadm, bootstrap.sh and Bottlerocket, test/fixtures/karpenter-user-data/) gives the Node its labels, taints
// and max pods; a launch without an instance profile, with a role the cluster does not admit, with user data for
// another cluster or in another image's format runs but never becomes a Node, and the world says why; a
// terminated instance's Node goes away.
import assert from "node:assert/strict";
import { after, describe, test } from "node:test";
import { parseQuantity } from "../../../../api/index.ts";
import { vmMemoryMiB } from "../../../../cloudprovider/capacity.ts";
import { defaultCatalog } from "../../../../cloudprovider/index.ts";
import { nodeResources } from "../../../../sim/world/node-registration/index.ts";
import {
  type BootWorld,
  CLUSTER,
  instanceTypes,
  karpenterUserData,
  PROFILE,
  START,
  startBootWorld,
} from "./boot-world.ts";

const worlds: BootWorld[] = [];
after(() => {
  for (const world of worlds) world.stop();
});
function world(...args: Parameters<typeof startBootWorld>): BootWorld {
  const started = startBootWorld(...args);
  worlds.push(started);
  return started;
}

type Taint = { key: string; value?: string; effect: string };
const labelsOf = (node: unknown) => (node as { metadata: { labels: Record<string, string> } }).metadata.labels;
const taintsOf = (node: unknown) =>
  ((node as { spec: { taints?: Taint[] } }).spec.taints ?? []).map(
    (t) => `${t.key}${t.value === undefined ? "" : `=${t.value}`}:${t.effect}`,
  );
const statusOf = (node: unknown) =>
  (
    node as {
      status: {
        capacity: Record<string, string>;
        allocatable: Record<string, string>;
        conditions: { type: string; status: string }[];
      };
    }
  ).status;

/** Karpenter's labels in the golden files, filled with class and pool `default`. */
const KARPENTER_LABELS = {
  "karpenter.k8s.aws/ec2nodeclass": "default",
  "karpenter.sh/capacity-type": "on-demand",
  "karpenter.sh/do-not-sync-taints": "true",
  "karpenter.sh/nodepool": "default",
  "testing/cluster": "unspecified",
};

describe("a node boots from Karpenter's user data", () => {
  test("AL2023 (nodeadm NodeConfig in MIME): no Node before 60 s, then one with the user data's labels, taints and max pods", () => {
    const w = world();
    const id = w.launch({ instanceProfile: PROFILE, userData: karpenterUserData("al2023_userdata_unmerged.golden") });
    w.clock.step(59_999);
    assert.equal(w.nodes().length, 0, "still booting");
    w.clock.step(1);
    const [node] = w.nodes();
    assert.ok(node, "registered at 60 s");
    const instance = w.cloud.instance(id);
    assert.equal(node.metadata?.name, `ip-${instance.privateIp.replaceAll(".", "-")}.us-west-2.compute.internal`);
    assert.equal((node.spec as { providerID: string }).providerID, `aws:///us-west-2a/${id}`);
    assert.deepEqual(taintsOf(node), ["karpenter.sh/unregistered:NoExecute"]);
    const labels = labelsOf(node);
    for (const [key, value] of Object.entries(KARPENTER_LABELS)) assert.equal(labels[key], value, key);
    assert.equal(labels["node.kubernetes.io/instance-type"], "m5.large");
    assert.equal(labels["topology.kubernetes.io/zone"], "us-west-2a");
    assert.equal(labels["topology.kubernetes.io/region"], "us-west-2");
    assert.equal(labels["topology.k8s.aws/zone-id"], "usw2-az1");
    assert.equal(labels["kubernetes.io/arch"], "amd64");
    assert.equal(labels["kubernetes.io/os"], "linux");
    assert.equal(labels["kubernetes.io/hostname"], node.metadata?.name);
    const status = statusOf(node);
    assert.equal(status.capacity.pods, "110", "maxPods: 110 from the NodeConfig");
    assert.equal(status.capacity.cpu, "2");
    assert.equal(status.conditions.find((c) => c.type === "Ready")?.status, "True");
    assert.deepEqual(
      w.registration.events.map((e) => [e.time, e.outcome, e.instanceId]),
      [["2026-02-02T08:01:00.000Z", "Registered", id]],
    );
  });

  test("AL2023 with the user's NodeConfig merged before Karpenter's: Karpenter's maxPods wins", () => {
    const w = world();
    w.launch({ instanceProfile: PROFILE, userData: karpenterUserData("al2023_yaml_userdata_merged.golden") });
    w.clock.step(60_000);
    const [node] = w.nodes();
    assert.equal(statusOf(node).capacity.pods, "110");
  });

  test("AL2 (bootstrap.sh in a MIME shell part, after the user's script) on the 1.32 image", () => {
    const w = world();
    const imageId = w.image("/aws/service/eks/optimized-ami/1.32/amazon-linux-2/recommended/image_id");
    w.launch({ instanceProfile: PROFILE, imageId, userData: karpenterUserData("al2_userdata_merged.golden") });
    w.clock.step(60_000);
    const [node] = w.nodes();
    assert.ok(node, w.registration.events.map((e) => e.message).join("; "));
    assert.deepEqual(taintsOf(node), ["karpenter.sh/unregistered:NoExecute"]);
    assert.equal(labelsOf(node)["karpenter.sh/nodepool"], "default");
    assert.equal(statusOf(node).capacity.pods, "110");
    assert.match(
      String((node.status as { nodeInfo: { kubeletVersion: string } }).nodeInfo.kubeletVersion),
      /^v1\.32\./,
    );
  });

  test("Bottlerocket (TOML): labels, the pool's taints, and the user's eviction-hard 12 % taken from allocatable", () => {
    const w = world();
    const imageId = w.image("/aws/service/bottlerocket/aws-k8s-1.34/x86_64/latest/image_id");
    w.launch({ instanceProfile: PROFILE, imageId, userData: karpenterUserData("br_userdata_merged.golden") });
    w.clock.step(60_000);
    const [node] = w.nodes();
    assert.ok(node, w.registration.events.map((e) => e.message).join("; "));
    assert.deepEqual(taintsOf(node).sort(), [
      "baz=bin:NoExecute",
      "foo=bar:NoExecute",
      "karpenter.sh/unregistered:NoExecute",
    ]);
    assert.equal(labelsOf(node)["custom-node-label"], "custom");
    const { capacity, allocatable } = statusOf(node);
    const capacityKi = Number(capacity.memory?.replace("Ki", ""));
    // amazon-eks-ami's kube-reserved memory for 110 pods: 11 MiB × 110 + 255 MiB = 1465 MiB; eviction 12 % of capacity.
    const expected = capacityKi - 1465 * 1024 - Math.ceil(capacityKi * 0.12);
    assert.equal(allocatable.memory, `${expected}Ki`);
    // kube-reserved CPU for 2 cores: 6 % of the first + 1 % of the second = 70m.
    assert.equal(allocatable.cpu, "1930m");
  });
});

describe("the kubelet settings in the user data shape allocatable", () => {
  const memoryKi = (q: string | undefined) => parseQuantity(q ?? "").toNumber() / 1024;

  test("nodeadm kubelet.config: kubeReserved, systemReserved and evictionHard as Karpenter writes its KubeletConfiguration", () => {
    const w = world();
    const userData = karpenterUserData("al2023_userdata_unmerged.golden", (t) =>
      t.replace(
        "      maxPods: 110\n",
        [
          "      maxPods: 110",
          "      kubeReserved:",
          "        cpu: 200m",
          "        memory: 1Gi",
          "      systemReserved:",
          "        cpu: 100m",
          "        memory: 256Mi",
          "      evictionHard:",
          "        memory.available: 5%",
          "",
        ].join("\n"),
      ),
    );
    w.launch({ instanceProfile: PROFILE, instanceType: "m5.xlarge", userData });
    w.clock.step(60_000);
    const { capacity, allocatable } = statusOf(w.nodes()[0]);
    const capacityKi = memoryKi(capacity.memory);
    assert.equal(allocatable.cpu, `${4000 - 200 - 100}m`);
    assert.equal(allocatable.memory, `${capacityKi - 1024 * 1024 - 256 * 1024 - Math.ceil(capacityKi * 0.05)}Ki`);
  });

  test("bootstrap.sh --kubelet-extra-args: --kube-reserved, --system-reserved, --eviction-hard", () => {
    const w = world();
    const imageId = w.image("/aws/service/eks/optimized-ami/1.32/amazon-linux-2/recommended/image_id");
    const userData = karpenterUserData("al2_userdata_unmerged.golden", (t) =>
      t.replace(
        "--max-pods=110'",
        '--max-pods=110 --system-reserved="cpu=100m,memory=100Mi" --kube-reserved="cpu=250m,memory=2Gi" --eviction-hard="memory.available<500Mi,nodefs.available<5%"\'',
      ),
    );
    w.launch({ instanceProfile: PROFILE, imageId, instanceType: "m5.xlarge", userData });
    w.clock.step(60_000);
    const [node] = w.nodes();
    assert.ok(node, w.registration.events.map((e) => e.message).join("; "));
    const { capacity, allocatable } = statusOf(node);
    const capacityKi = memoryKi(capacity.memory);
    assert.equal(allocatable.cpu, `${4000 - 250 - 100}m`);
    assert.equal(allocatable.memory, `${capacityKi - 2048 * 1024 - 100 * 1024 - 500 * 1024}Ki`);
    const storageKi = memoryKi(capacity["ephemeral-storage"]);
    // 1 GiB kube-reserved (the image's default) and 5 % for nodefs.
    assert.equal(
      Number(allocatable["ephemeral-storage"]) / 1024,
      storageKi - 1024 * 1024 - Math.ceil(storageKi * 0.05),
    );
  });
});

describe("the node's real memory is not Karpenter's estimate", () => {
  test("per type, within ±3 % of the type's memory of Karpenter's estimate, both ways across the catalog", () => {
    const catalog = defaultCatalog();
    const settings = { labels: {}, taints: [], kubeReserved: {}, systemReserved: {}, evictionHard: {} };
    let above = 0;
    let below = 0;
    for (const type of instanceTypes()) {
      const karpenter = catalog.byName(type.name);
      assert.ok(karpenter, `${type.name} is in the catalog`);
      const estimateMiB = vmMemoryMiB(karpenter);
      const realMiB = parseQuantity(nodeResources(type, settings).capacity.memory ?? "").toNumber() / 2 ** 20;
      // Karpenter also holds back 64 MiB on arm64; the rest of the difference is the world's per-type deviation.
      const slack = type.memoryMiB * 0.03 + (type.arch === "arm64" ? 64 : 0) + 1;
      assert.ok(Math.abs(realMiB - estimateMiB) <= slack, `${type.name}: ${realMiB} MiB vs ${estimateMiB} MiB`);
      if (realMiB > estimateMiB) above += 1;
      if (realMiB < estimateMiB) below += 1;
    }
    assert.ok(above > 100 && below > 100, `above the estimate ${above}, below ${below}`);
  });

  test("an m5.large node: capacity memory differs from Karpenter's 7,577 MiB and is the same on a second boot", () => {
    const w = world();
    w.launch({ instanceProfile: PROFILE, userData: karpenterUserData("al2023_userdata_unmerged.golden") });
    w.launch({ instanceProfile: PROFILE, userData: karpenterUserData("al2023_userdata_unmerged.golden") });
    w.clock.step(60_000);
    const [first, second] = w.nodes().map((n) => statusOf(n).capacity.memory);
    // Karpenter: 8192 − ceil(8192 × 0.075) = 7577 MiB.
    assert.notEqual(first, `${7577 * 1024}Ki`);
    assert.equal(first, second);
    const mib = parseQuantity(first ?? "").toNumber() / 2 ** 20;
    assert.ok(Math.abs(mib - 7577) <= 8192 * 0.03 + 1, `${mib} MiB`);
  });
});

describe("a wrongly launched instance runs but never becomes a node, and the world says why", () => {
  const al2023 = () => karpenterUserData("al2023_userdata_unmerged.golden");
  const cases: [string, (w: BootWorld) => Parameters<BootWorld["launch"]>[0], RegExp][] = [
    ["no instance profile", () => ({ userData: al2023() }), /no instance profile/],
    [
      "an instance profile whose role the cluster does not admit",
      (w) => {
        w.cloud.iam.createRole("SomeOtherRole");
        w.cloud.iam.createInstanceProfile("other");
        w.cloud.iam.addRoleToInstanceProfile("other", "SomeOtherRole");
        return { instanceProfile: "other", userData: al2023() };
      },
      /role SomeOtherRole \(instance profile other\) is not admitted by cluster test-cluster/,
    ],
    [
      "an instance profile without a role",
      (w) => {
        w.cloud.iam.createInstanceProfile("empty");
        return { instanceProfile: "empty", userData: al2023() };
      },
      /instance profile empty has no role/,
    ],
    [
      "user data for another cluster",
      () => ({
        instanceProfile: PROFILE,
        userData: karpenterUserData("al2023_userdata_unmerged.golden", (t) =>
          t.replace("name: test-cluster", "name: other-cluster"),
        ),
      }),
      /user data names cluster "other-cluster", not "test-cluster"/,
    ],
    ["no user data", () => ({ instanceProfile: PROFILE }), /no user data/],
    [
      "Bottlerocket settings on an AL2023 image",
      () => ({ instanceProfile: PROFILE, userData: karpenterUserData("br_userdata_unmerged.golden") }),
      /is al2023, whose boot reads nodeadm user data, but the user data is bottlerocket/,
    ],
    [
      "a NodeConfig without the cluster's CIDR (nodeadm's validation)",
      () => ({
        instanceProfile: PROFILE,
        userData: karpenterUserData("al2023_userdata_unmerged.golden", (t) =>
          t.replace("    cidr: 10.100.0.0/16\n", ""),
        ),
      }),
      /nodeadm: CIDR is missing in cluster configuration/,
    ],
    [
      "a label in kubernetes.io the kubelet may not set",
      () => ({
        instanceProfile: PROFILE,
        userData: karpenterUserData("al2023_userdata_unmerged.golden", (t) =>
          t.replace("testing/cluster=unspecified", "kubernetes.io/role=worker"),
        ),
      }),
      /unknown 'kubernetes.io' or 'k8s.io' labels specified with --node-labels: \[kubernetes.io\/role\]/,
    ],
    [
      "user data that is not base64",
      () => ({ instanceProfile: PROFILE, userData: "#!/bin/bash\necho hi" }),
      /not base64/,
    ],
    [
      "Bottlerocket TOML that does not parse",
      (w) => ({
        instanceProfile: PROFILE,
        imageId: w.image("/aws/service/bottlerocket/aws-k8s-1.34/x86_64/latest/image_id"),
        userData: Buffer.from("[settings.kubernetes]\ncluster-name = 'test-cluster\n").toString("base64"),
      }),
      /Bottlerocket settings \(TOML\): line 2: unterminated string/,
    ],
  ];
  for (const [name, placement, reason] of cases) {
    test(name, () => {
      const w = world();
      const id = w.launch(placement(w));
      w.clock.step(10 * 60_000);
      assert.equal(w.cloud.stateOf(w.cloud.instance(id)), "running");
      assert.deepEqual(w.nodes(), []);
      const [event, ...others] = w.registration.events;
      assert.equal(others.length, 0);
      assert.equal(event?.outcome, "NotRegistered");
      assert.equal(event?.instanceId, id);
      assert.match(event?.message ?? "", reason);
    });
  }
});

test("a Node of the same name already there: recorded, not thrown into the clock", () => {
  const w = world();
  const id = w.launch({ instanceProfile: PROFILE, userData: karpenterUserData("al2023_userdata_unmerged.golden") });
  const name = `ip-${w.cloud.instance(id).privateIp.replaceAll(".", "-")}.us-west-2.compute.internal`;
  const nodes = w.store.registry.resource("", "v1", "nodes");
  assert.ok(nodes);
  w.store.create(nodes, undefined, { metadata: { name } });
  w.clock.step(60_000);
  assert.equal(w.nodes().length, 1);
  assert.match(w.registration.events[0]?.message ?? "", /registering node ip-.* failed: .*already exists/);
});

describe("a terminated instance's node goes away", () => {
  test("NotReady with the unreachable taints after the grace period, deleted once the instance is terminated", () => {
    const w = world({ shuttingDownMs: 90_000 });
    const id = w.launch({ instanceProfile: PROFILE, userData: karpenterUserData("al2023_userdata_unmerged.golden") });
    w.clock.step(60_000);
    assert.equal(w.nodes().length, 1);
    w.cloud.terminate([id]);
    w.clock.step(39_999);
    assert.equal(statusOf(w.nodes()[0]).conditions.find((c) => c.type === "Ready")?.status, "True");
    w.clock.step(1);
    const [node] = w.nodes();
    assert.equal(statusOf(node).conditions.find((c) => c.type === "Ready")?.status, "Unknown");
    assert.deepEqual(taintsOf(node), [
      "karpenter.sh/unregistered:NoExecute",
      "node.kubernetes.io/unreachable:NoSchedule",
      "node.kubernetes.io/unreachable:NoExecute",
    ]);
    w.clock.step(50_000);
    assert.deepEqual(w.nodes(), []);
    assert.deepEqual(
      w.registration.events.map((e) => [e.outcome, new Date(e.time).getTime() - START.getTime()]),
      [
        ["Registered", 60_000],
        ["NodeNotReady", 100_000],
        ["NodeDeleted", 150_000],
      ],
    );
  });

  test("an instance terminated before it booted never registers", () => {
    const w = world();
    const id = w.launch({ instanceProfile: PROFILE, userData: karpenterUserData("al2023_userdata_unmerged.golden") });
    w.clock.step(30_000);
    w.cloud.terminate([id]);
    w.clock.step(5 * 60_000);
    assert.deepEqual(w.nodes(), []);
    assert.deepEqual(w.registration.events, []);
  });

  test("an instance pending longer than the boot delay registers the moment it runs", () => {
    const w = world({ pendingMs: 90_000 });
    w.launch({ instanceProfile: PROFILE, userData: karpenterUserData("al2023_userdata_unmerged.golden") });
    w.clock.step(89_999);
    assert.equal(w.nodes().length, 0);
    w.clock.step(1);
    assert.equal(w.nodes().length, 1);
  });

  test("the boot delay is configurable", () => {
    const w = world({}, { bootDelayMs: 120_000 });
    w.launch({ instanceProfile: PROFILE, userData: karpenterUserData("al2023_userdata_unmerged.golden") });
    w.clock.step(119_999);
    assert.equal(w.nodes().length, 0);
    w.clock.step(1);
    assert.equal(w.nodes().length, 1);
    assert.equal(w.cloud.scenario.clusterName, CLUSTER);
  });
});
