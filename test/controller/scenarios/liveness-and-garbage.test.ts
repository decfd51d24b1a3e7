// NodeClaims that never make it and instances nobody claims, in the simulated world: a NodeClaim whose
// EC2NodeClass does not exist is retried and, 5 minutes after it was created, deleted (launch timeout); one whose
// instance runs under a role the cluster does not admit never registers and is deleted 15 minutes after it
// launched (registration timeout). Deleted means deletion requested: the termination finalizer holds it for the
// termination controller. An instance tagged for this cluster with no NodeClaim is terminated once older than
// the grace period; a NodeClaim whose instance was terminated behind its back is deleted. Expected times are
// Karpenter's liveness timeouts (liveness.go); the world's instance states are EC2's. Each deletion is told to the
// status report once, with its pool, NodeClaim and why (the Git status branch's `timed-out` and
// `garbage-collected` events).
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import type { NodeClaim } from "../../../api/index.ts";
import type { KubeObject } from "../../../sim/index.ts";
import {
  deployment,
  NODE_CLASS,
  nodeNameOf,
  nodePool,
  ON_DEMAND_M5_LARGE,
  type ProvisioningWorld,
  startProvisioningWorld,
} from "../../support/provisioning-world.ts";

let w: ProvisioningWorld;
before(async () => {
  w = await startProvisioningWorld({
    cloud: { roles: ["KarpenterNodeRole-sim", "KarpenterNodeRole-elsewhere"] },
    gcGracePeriodMs: 60_000,
  });
  const elsewhere = {
    ...NODE_CLASS,
    metadata: { name: "elsewhere" },
    spec: { ...NODE_CLASS.spec, role: "KarpenterNodeRole-elsewhere" },
  };
  w.create(
    NODE_CLASS,
    elsewhere,
    nodePool("default", ON_DEMAND_M5_LARGE),
    nodePool("elsewhere", ON_DEMAND_M5_LARGE, { nodeClass: "elsewhere" }),
  );
});
after(() => w.stop());

const claim = (name: string) =>
  w.list("karpenter.sh/v1", "NodeClaim").find((c) => c.metadata?.name === name) as NodeClaim | undefined;
const poolOf = (c: KubeObject) => (c.metadata?.labels as Record<string, string> | undefined)?.["karpenter.sh/nodepool"];
/** What the status report was told about one NodeClaim. */
const reported = (name: string) => w.nodeClaimStatus.filter((e) => e.node === name);
const onPool = (pool: string) => ({ nodeSelector: { "karpenter.sh/nodepool": pool } });

describe("launch timeout", () => {
  test("a NodeClaim that cannot launch is retried, then deleted 5 minutes after it was created", async () => {
    w.create({
      apiVersion: "karpenter.sh/v1",
      kind: "NodeClaim",
      metadata: {
        name: "orphan-nc",
        labels: { "karpenter.sh/nodepool": "default" },
        finalizers: ["karpenter.sh/termination"],
      },
      spec: {
        nodeClassRef: { group: "karpenter.k8s.aws", kind: "EC2NodeClass", name: "missing" },
        requirements: ON_DEMAND_M5_LARGE,
      },
    });
    const created = Date.parse(String(claim("orphan-nc")?.metadata.creationTimestamp));
    await w.runFor(created + 5 * 60_000 - 1_000 - w.clock.now().getTime(), 5_000);
    const launched = claim("orphan-nc")?.status?.conditions?.find((c) => c.type === "Launched");
    assert.equal(launched?.status, "False");
    assert.equal(launched?.reason, "NodeClassNotReady");
    assert.equal(claim("orphan-nc")?.metadata.deletionTimestamp, undefined, "not yet, a second before");
    await w.runFor(1_000);
    assert.ok(claim("orphan-nc")?.metadata.deletionTimestamp, "deletion requested at 5 minutes");
    assert.match(w.events("LivenessTimeout", "orphan-nc")[0]?.message ?? "", /did not launch within 5 minutes/);
    assert.deepEqual(reported("orphan-nc"), [
      {
        kind: "timed-out",
        pool: "default",
        node: "orphan-nc",
        reason: "NodeClaim orphan-nc did not launch within 5 minutes (launch timeout): deleting it",
      },
    ]);
  });
});

describe("registration timeout", () => {
  test("a NodeClaim whose instance never registers is deleted 15 minutes after it launched", async () => {
    w.create(deployment("stray", 1, { cpu: "500m", memory: "512Mi" }, onPool("elsewhere")));
    await w.runUntil(
      () => w.list("karpenter.sh/v1", "NodeClaim").some((c) => poolOf(c) === "elsewhere"),
      "a NodeClaim for the pod",
    );
    await w.runFor(5_000);
    const name = String(w.list("karpenter.sh/v1", "NodeClaim").find((c) => poolOf(c) === "elsewhere")?.metadata?.name);
    const launchedAt = Date.parse(
      String(claim(name)?.status?.conditions?.find((c) => c.type === "Launched")?.lastTransitionTime),
    );
    assert.ok(claim(name)?.status?.providerID, "it launched");
    await w.runFor(launchedAt + 15 * 60_000 - 1_000 - w.clock.now().getTime(), 10_000);
    assert.equal(claim(name)?.metadata.deletionTimestamp, undefined, "not yet, a second before");
    assert.equal(nodeNameOf(w.pods("stray")[0] ?? {}), undefined, "the pod never got a node");
    await w.runFor(1_000);
    assert.ok(claim(name)?.metadata.deletionTimestamp, "deletion requested at 15 minutes");
    assert.match(w.events("LivenessTimeout", name)[0]?.message ?? "", /did not register within 15 minutes/);
    assert.deepEqual(reported(name), [
      {
        kind: "timed-out",
        pool: "elsewhere",
        node: name,
        reason: `NodeClaim ${name} did not register within 15 minutes (registration timeout): deleting it`,
      },
    ]);
  });
});

describe("garbage collection", () => {
  test("an instance tagged for the cluster with no NodeClaim is terminated once past the grace period", async () => {
    const [leaked] = w.world.cloud.launch(
      {
        instanceType: "m5.large",
        subnetId: w.world.cloud.scenario.subnets[0]?.id ?? "",
        imageId: "ami-0a00000000000a023",
        capacityType: "on-demand",
        securityGroupIds: [],
        tags: [
          { key: "karpenter.sh/nodepool", value: "default" },
          { key: "karpenter.k8s.aws/ec2nodeclass", value: "default" },
          { key: "karpenter.sh/nodeclaim", value: "default-leaked" },
          { key: "eks:eks-cluster-name", value: "sim" },
        ],
      },
      1,
    );
    assert.ok(leaked);
    await w.runFor(30_000);
    assert.deepEqual((await w.gc.collect()).instances, [], "within the grace period it is left alone");
    assert.deepEqual(reported("default-leaked"), [], "nor reported");
    await w.runFor(30_000);
    const collected = await w.gc.collect();
    assert.deepEqual(collected.instances, [`aws:///${leaked.zone}/${leaked.id}`]);
    assert.ok(["shutting-down", "terminated"].includes(w.world.cloud.stateOf(leaked)));
    assert.deepEqual(reported("default-leaked"), [
      {
        kind: "garbage-collected",
        pool: "default",
        node: "default-leaked",
        reason:
          `terminated instance aws:///${leaked.zone}/${leaked.id}: tagged for this cluster with no NodeClaim ` +
          "naming it for 1 min (leaked)",
      },
    ]);
  });

  test("a NodeClaim whose instance was terminated behind its back is deleted", async () => {
    w.create(deployment("kept", 1, { cpu: "500m", memory: "512Mi" }, onPool("default")));
    await w.runUntil(() => w.pods("kept").every((p) => nodeNameOf(p)), "kept bound");
    const owned = w
      .list("karpenter.sh/v1", "NodeClaim")
      .find((c) => poolOf(c) === "default" && !c.metadata?.deletionTimestamp) as (KubeObject & NodeClaim) | undefined;
    const id = owned?.status?.providerID?.split("/").at(-1) ?? "";
    w.world.cloud.terminate([id]);
    await w.runFor(w.world.cloud.scenario.shuttingDownMs + 60_000, 5_000);
    const collected = await w.gc.collect();
    const name = String(owned?.metadata.name);
    assert.ok(
      collected.nodeClaims.includes(name) || claim(name)?.metadata.deletionTimestamp,
      "the NodeClaim is being deleted",
    );
    assert.ok(claim(name)?.metadata.deletionTimestamp);
    assert.deepEqual(reported(name), [
      {
        kind: "garbage-collected",
        pool: "default",
        node: name,
        reason: `deleted NodeClaim ${name}: its instance ${String(owned?.status?.providerID)} no longer exists`,
      },
    ]);
  });
});
