// The CloudProvider interface is usable as the controller will use it: launch a NodeClaim, see what was launched,
// steer around unavailable offerings, notice drift, delete until gone, act on the typed errors. The cloud is an
// in-memory fake over a few catalog types (test/support/fake-cloud-provider.ts); expected values are the catalog's
// prices and Karpenter's published allocatable for those types (data/SOURCE.md), and the error texts of
// core:pkg/cloudprovider/types.go.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import {
  CreateError,
  InsufficientCapacityError,
  NodeClaimNotFoundError,
  NodeClassNotReadyError,
  findError,
} from "../../cloudprovider/errors.ts";
import { createCatalog } from "../../cloudprovider/catalog/catalog.ts";
import { defaultCatalog, type CatalogInstanceType } from "../../cloudprovider/index.ts";
import type { CloudProvider } from "../../cloudprovider/cloud-provider.ts";
import type { Clock } from "../../api/ports.ts";
import type { EC2NodeClass, NodeClaim, NodePool } from "../../api/types.ts";
import { FakeCloudProvider } from "../support/fake-cloud-provider.ts";

const NAMES = ["c5.large", "m5.large", "m5.xlarge", "m6g.large", "t3.medium"];
const catalog = createCatalog(
  NAMES.map((name) => defaultCatalog().byName(name)).filter((t): t is CatalogInstanceType => t !== undefined),
);

function virtualClock(start: string): Clock & { advance(ms: number): void } {
  let now = Date.parse(start);
  return { now: () => new Date(now), advance: (ms) => void (now += ms) };
}

function ec2NodeClass(alias = "al2023@v20250101", ready = true): EC2NodeClass {
  return {
    apiVersion: "karpenter.k8s.aws/v1",
    kind: "EC2NodeClass",
    metadata: { name: "default" },
    spec: {
      amiSelectorTerms: [{ alias }],
      subnetSelectorTerms: [{ tags: { "karpenter.sh/discovery": "demo" } }],
      securityGroupSelectorTerms: [{ tags: { "karpenter.sh/discovery": "demo" } }],
      role: "KarpenterNodeRole",
    },
    status: {
      conditions: [
        {
          type: "Ready",
          status: ready ? "True" : "False",
          reason: ready ? "Ready" : "SubnetsNotFound",
          lastTransitionTime: "2026-01-01T00:00:00Z",
          message: "SubnetsNotFound",
        },
      ],
    },
  };
}

const nodePool: NodePool = {
  apiVersion: "karpenter.sh/v1",
  kind: "NodePool",
  metadata: { name: "general" },
  spec: {
    template: {
      spec: { nodeClassRef: { group: "karpenter.k8s.aws", kind: "EC2NodeClass", name: "default" }, requirements: [] },
    },
  },
};

function nodeClaim(requests: Record<string, string>, nodeClassName = "default"): NodeClaim {
  return {
    apiVersion: "karpenter.sh/v1",
    kind: "NodeClaim",
    metadata: { name: "general-abcde", labels: { "karpenter.sh/nodepool": "general" } },
    spec: {
      nodeClassRef: { group: "karpenter.k8s.aws", kind: "EC2NodeClass", name: nodeClassName },
      requirements: [
        { key: "karpenter.sh/capacity-type", operator: "In", values: ["on-demand"] },
        { key: "kubernetes.io/arch", operator: "In", values: ["amd64"] },
        { key: "karpenter.k8s.aws/instance-category", operator: "In", values: ["c", "m"] },
      ],
      resources: { requests },
    },
  };
}

function setup(nodeClasses = [ec2NodeClass()]) {
  const clock = virtualClock("2026-12-05T10:00:00Z");
  const cloud: CloudProvider = new FakeCloudProvider({
    clock,
    zones: ["us-east-1a", "us-east-1b"],
    nodeClasses,
    catalog,
  });
  return { clock, cloud };
}

const where = (claim: NodeClaim) =>
  `${claim.metadata.labels?.["node.kubernetes.io/instance-type"]}/${claim.metadata.labels?.["topology.kubernetes.io/zone"]}`;

/** What the controller's termination loop does: call delete until the provider says the instance is gone. */
async function deleteUntilGone(cloud: CloudProvider, claim: NodeClaim): Promise<number> {
  for (let calls = 1; ; calls++) {
    try {
      await cloud.delete(claim);
    } catch (error) {
      if (findError(error, NodeClaimNotFoundError)) return calls;
      throw error;
    }
  }
}

describe("CloudProvider", () => {
  test("create launches the cheapest compatible offering and returns the launched NodeClaim", async () => {
    const { cloud } = setup();
    const request = nodeClaim({ cpu: "1", memory: "2Gi" });
    const launched = await cloud.create(request);
    // c5.large ($0.085) is the cheapest amd64 c/m type; t3 (category t) and m6g (arm64) are not allowed.
    assert.equal(where(launched), "c5.large/us-east-1a");
    assert.match(launched.status?.providerID ?? "", /^aws:\/\/\/us-east-1a\/i-[0-9a-f]{17}$/);
    assert.deepEqual(
      {
        nodepool: launched.metadata.labels?.["karpenter.sh/nodepool"],
        capacityType: launched.metadata.labels?.["karpenter.sh/capacity-type"],
        arch: launched.metadata.labels?.["kubernetes.io/arch"],
        family: launched.metadata.labels?.["karpenter.k8s.aws/instance-family"],
        tenancy: launched.metadata.labels?.["karpenter.k8s.aws/instance-tenancy"],
        reservation: launched.metadata.labels?.["karpenter.k8s.aws/capacity-reservation-id"],
      },
      {
        nodepool: "general",
        capacityType: "on-demand",
        arch: "amd64",
        family: "c5",
        tenancy: "default",
        reservation: undefined,
      },
    );
    // c5.large: 4096 − ceil(307.2) = 3788Mi; Karpenter's published allocatable 1930m / 3114Mi / 29 pods.
    assert.deepEqual(launched.status?.capacity, {
      cpu: "2",
      memory: "3788Mi",
      "ephemeral-storage": "20Gi",
      pods: "29",
    });
    assert.deepEqual(launched.status?.allocatable, {
      cpu: "1930m",
      memory: "3114Mi",
      "ephemeral-storage": "17Gi",
      pods: "29",
    });
    assert.equal(request.status, undefined, "the request is not changed");
    assert.equal(request.metadata.labels?.["topology.kubernetes.io/zone"], undefined);

    // 5Gi does not fit c5.large's 3114Mi: the next cheapest that fits is m5.large ($0.096).
    assert.equal(where(await cloud.create(nodeClaim({ memory: "5Gi" }))), "m5.large/us-east-1a");
  });

  test("markUnavailable steers launches away for 3 minutes of the clock", async () => {
    const { cloud, clock } = setup();
    const request = nodeClaim({ cpu: "1" });
    cloud.markUnavailable("c5.large", "us-east-1a", "on-demand", "InsufficientInstanceCapacity");
    assert.equal(where(await cloud.create(request)), "c5.large/us-east-1b");
    cloud.markUnavailable("c5.large", "us-east-1b", "on-demand", "InsufficientInstanceCapacity");
    assert.equal(where(await cloud.create(request)), "m5.large/us-east-1a");
    const [types] = [await cloud.getInstanceTypes(nodePool, ec2NodeClass())];
    const c5 = types.find((t) => t.name === "c5.large");
    assert.deepEqual(c5 && [...c5.offerings].map((o) => o.available), [false, false]);
    clock.advance(3 * 60 * 1000);
    assert.equal(where(await cloud.create(request)), "m5.large/us-east-1a", "still unavailable at 3 minutes");
    clock.advance(1);
    assert.equal(where(await cloud.create(request)), "c5.large/us-east-1a");
  });

  test("get, list and delete until gone", async () => {
    const { cloud } = setup();
    const a = await cloud.create(nodeClaim({ cpu: "1" }));
    const b = await cloud.create(nodeClaim({ memory: "5Gi" }));
    assert.deepEqual(await cloud.get(a.status?.providerID ?? ""), a);
    assert.deepEqual((await cloud.list()).map(where).sort(), ["c5.large/us-east-1a", "m5.large/us-east-1a"]);
    assert.equal(await deleteUntilGone(cloud, a), 2, "one delete starts termination, the next finds it gone");
    await assert.rejects(cloud.get(a.status?.providerID ?? ""), (error: unknown) => {
      assert.ok(error instanceof NodeClaimNotFoundError);
      assert.match(error.message, /^nodeclaim not found, no instance "aws:\/\/\/us-east-1a\/i-/);
      return true;
    });
    assert.deepEqual((await cloud.list()).map(where), [where(b)]);
  });

  test("isDrifted reports AMI drift when the EC2NodeClass selects other AMIs", async () => {
    const { cloud } = setup();
    const launched = await cloud.create(nodeClaim({ cpu: "1" }));
    assert.equal(await cloud.isDrifted(launched, nodePool, ec2NodeClass()), undefined);
    assert.equal(await cloud.isDrifted(launched, nodePool, ec2NodeClass("al2023@v20260101")), "AMIDrift");
  });

  test("launch failures are the typed errors, also when wrapped", async () => {
    const { cloud } = setup([ec2NodeClass(), { ...ec2NodeClass(), metadata: { name: "broken" } }]);
    await assert.rejects(cloud.create(nodeClaim({ cpu: "64" })), (error: unknown) => {
      const wrapped = new Error("launching general-abcde", { cause: error });
      const found = findError(wrapped, InsufficientCapacityError);
      assert.ok(found);
      assert.equal(found.message, "insufficient capacity, no compatible offering is available");
      assert.equal(findError(wrapped, NodeClaimNotFoundError), undefined);
      return true;
    });
    const notReady = setup([{ ...ec2NodeClass("al2023@latest", false) }]).cloud;
    await assert.rejects(notReady.create(nodeClaim({ cpu: "1" })), (error: unknown) => {
      assert.ok(error instanceof NodeClassNotReadyError);
      assert.equal(error.message, "NodeClassRef not ready, SubnetsNotFound");
      return true;
    });
    await assert.rejects(cloud.create(nodeClaim({ cpu: "1" }, "missing")), InsufficientCapacityError);
  });

  test("CreateError carries the Launched condition's reason and message", () => {
    const cause = new Error("UnauthorizedOperation");
    const error = new CreateError(
      "resolving instance types",
      { reason: "InstanceTypeResolutionFailed", message: "Error resolving instance types" },
      { cause },
    );
    assert.equal(error.message, "creating nodeclaim, resolving instance types");
    assert.equal(error.conditionReason, "InstanceTypeResolutionFailed");
    assert.equal(error.conditionMessage, "Error resolving instance types");
    assert.equal(findError(error, CreateError), error);
    assert.equal(error.cause, cause);
    const loop: Error & { cause?: unknown } = new Error("loop");
    loop.cause = loop;
    assert.equal(findError(loop, CreateError), undefined, "a cycle of causes ends the search");
  });
});
