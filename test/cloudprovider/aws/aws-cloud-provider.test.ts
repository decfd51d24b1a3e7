// The AWS cloud provider against an in-process account (test/support/fake-aws.ts): the cheapest spot offering,
// the unavailable-offerings cache on the clock, the safe retry of a launch whose answer was lost, AMI aliases
// through SSM, the instance profile from spec.role, launch templates reused and collected, drift, and the
// capacity estimate. Expected values come from the fake's price table and the catalog file, not from the code.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { beforeEach, describe, test } from "node:test";
import type { EC2NodeClass, NodeClaim } from "../../../api/index.ts";
import { ANNOTATION_LAUNCH_ATTEMPT, AwsCloudProvider } from "../../../cloudprovider/aws/aws-cloud-provider.ts";
import { CreateError, InsufficientCapacityError, NodeClaimNotFoundError } from "../../../cloudprovider/errors.ts";
import { FakeClock } from "../../support/fake-clock.ts";
import { AL2023_AMD64, FakeAws, REGION, SUBNETS, ssmPath } from "../../support/fake-aws.ts";
import type { FleetRequest } from "../../../api/index.ts";

const START = new Date("2026-01-05T10:00:00Z");

function nodeClass(spec: Partial<NonNullable<EC2NodeClass["spec"]>> = {}): EC2NodeClass {
  return {
    apiVersion: "karpenter.k8s.aws/v1",
    kind: "EC2NodeClass",
    metadata: { name: "default", uid: "nc-uid" },
    spec: {
      amiSelectorTerms: [{ alias: "al2023@latest" }],
      subnetSelectorTerms: [{ tags: { "karpenter.sh/discovery": "test-cluster" } }],
      securityGroupSelectorTerms: [{ tags: { "karpenter.sh/discovery": "test-cluster" } }],
      role: "KarpenterNodeRole-test-cluster",
      ...spec,
    },
  } as EC2NodeClass;
}

function nodeClaim(name: string, types: string[], capacityTypes = ["spot", "on-demand"]): NodeClaim {
  return {
    apiVersion: "karpenter.sh/v1",
    kind: "NodeClaim",
    metadata: { name, uid: `${name}-uid`, labels: { "karpenter.sh/nodepool": "default" } },
    spec: {
      nodeClassRef: { group: "karpenter.k8s.aws", kind: "EC2NodeClass", name: "default" },
      requirements: [
        { key: "node.kubernetes.io/instance-type", operator: "In", values: types },
        { key: "karpenter.sh/capacity-type", operator: "In", values: capacityTypes },
        { key: "kubernetes.io/arch", operator: "In", values: ["amd64"] },
      ],
      resources: { requests: { cpu: "500m", memory: "1Gi" } },
    },
  } as NodeClaim;
}

let clock: FakeClock;
let aws: FakeAws;
let classes: Map<string, EC2NodeClass>;
let provider: AwsCloudProvider;
const attempts: [string, number][] = [];

beforeEach(async () => {
  clock = new FakeClock(START);
  aws = new FakeAws(() => clock.now());
  classes = new Map([["default", nodeClass()]]);
  attempts.length = 0;
  provider = new AwsCloudProvider({
    ports: aws,
    clock,
    region: REGION,
    kubernetesVersion: "1.34",
    cluster: {
      name: "test-cluster",
      endpoint: "https://test-cluster",
      caBundle: "Y2EtYnVuZGxlCg==",
      serviceCIDR: "10.100.0.0/16",
      dnsIP: "10.100.0.10",
    },
    nodeClass: (name) => classes.get(name),
    recordLaunchAttempt: async (claim, attempt) => {
      attempts.push([claim.metadata.name ?? "", attempt]);
    },
  });
  // Spot prices per type and zone; on-demand: the catalog's (m5.large 0.096, c5.large 0.085, m5.xlarge 0.192).
  for (const [key, price] of [
    ["m5.large:us-west-2a", 0.041],
    ["m5.large:us-west-2b", 0.036],
    ["c5.large:us-west-2a", 0.031],
    ["c5.large:us-west-2b", 0.034],
    ["m5.xlarge:us-west-2a", 0.07],
  ] as const) {
    aws.spotPrices.set(key, price);
  }
  await provider.instanceTypes.refresh();
});

/** Awaits `promise`, moving the clock past each timer it arms meanwhile (the lookup's waits). */
async function stepping<T>(promise: Promise<T>): Promise<T> {
  let done = false;
  const settled = promise.finally(() => {
    done = true;
  });
  while (!done) {
    await Promise.race([clock.untilPending(1), settled.catch(() => undefined)]);
    if (!done) clock.step(clock.pending[0] ?? 0);
  }
  return settled;
}

const lastFleet = (): FleetRequest => aws.calls.filter((c) => c.op === "CreateFleet").at(-1)?.input as FleetRequest;
const overridesOf = (request: FleetRequest) =>
  request.launchTemplates.flatMap((t) => t.overrides.map((o) => `${o.instanceType}@${o.subnetId}`)).sort();

describe("create", () => {
  test("a pool allowing spot and on-demand launches the cheapest spot offering, tagged as Karpenter tags", async () => {
    const launched = await provider.create(nodeClaim("default-a", ["m5.large", "c5.large", "m5.xlarge"]));
    const labels = launched.metadata.labels ?? {};
    assert.equal(labels["karpenter.sh/capacity-type"], "spot");
    assert.equal(labels["node.kubernetes.io/instance-type"], "c5.large");
    assert.equal(labels["topology.kubernetes.io/zone"], "us-west-2a");
    assert.match(launched.status?.providerID ?? "", /^aws:\/\/\/us-west-2a\/i-[0-9a-f]{17}$/);
    assert.equal(launched.status?.imageID, AL2023_AMD64);

    const request = lastFleet();
    assert.equal(request.capacityType, "spot");
    assert.equal(request.allocationStrategy, "price-capacity-optimized");
    assert.equal(overridesOf(request).length, 5, "every type × zone with a spot price");
    assert.deepEqual(Object.fromEntries(request.tags.map((t) => [t.key, t.value])), {
      "eks:eks-cluster-name": "test-cluster",
      "karpenter.k8s.aws/ec2nodeclass": "default",
      "karpenter.sh/nodeclaim": "default-a",
      "karpenter.sh/nodepool": "default",
      "kubernetes.io/cluster/test-cluster": "owned",
    });
    assert.ok(request.clientToken.length > 0 && request.clientToken.length <= 64);
    assert.deepEqual(attempts, [["default-a", 1]], "the attempt is recorded before the call");
  });

  test("on-demand only: lowest-price, every type in every zone", async () => {
    const launched = await provider.create(nodeClaim("default-b", ["m5.large", "c5.large"], ["on-demand"]));
    assert.equal(launched.metadata.labels?.["karpenter.sh/capacity-type"], "on-demand");
    assert.equal(launched.metadata.labels?.["node.kubernetes.io/instance-type"], "c5.large");
    const request = lastFleet();
    assert.equal(request.allocationStrategy, "lowest-price");
    assert.equal(overridesOf(request).length, 4);
  });

  test("at most 60 instance types go into the fleet, the cheapest", async () => {
    const names = (
      JSON.parse(readFileSync(new URL("../../../data/ec2-instance-types.json", import.meta.url), "utf8")) as {
        name: string;
        arch: string;
        onDemandUsd: number;
        vcpu: number;
      }[]
    )
      .filter((t) => t.arch === "amd64" && t.vcpu >= 2)
      .slice(0, 200);
    await provider.create(
      nodeClaim(
        "default-many",
        names.map((t) => t.name),
        ["on-demand"],
      ),
    );
    const types = new Set(lastFleet().launchTemplates.flatMap((t) => t.overrides.map((o) => o.instanceType)));
    assert.equal(types.size, 60);
    const cheapest = [...names]
      .sort((a, b) => a.onDemandUsd - b.onDemandUsd || a.name.localeCompare(b.name))
      .slice(0, 60);
    assert.deepEqual([...types].sort(), cheapest.map((t) => t.name).sort());
  });
});

describe("insufficient capacity", () => {
  test("an ICE'd offering is cached unavailable, the retry uses the rest, and after 3 minutes it is offered again", async () => {
    aws.outOfCapacity.add("c5.large:us-west-2a:spot");
    const first = await provider.create(nodeClaim("ice-1", ["m5.large", "c5.large"]));
    // EC2 launched the next cheapest and reported the ICE'd override.
    assert.equal(first.metadata.labels?.["node.kubernetes.io/instance-type"], "c5.large");
    assert.equal(first.metadata.labels?.["topology.kubernetes.io/zone"], "us-west-2b");

    const second = await provider.create(nodeClaim("ice-2", ["m5.large", "c5.large"]));
    assert.ok(!overridesOf(lastFleet()).includes(`c5.large@${SUBNETS[0]?.id}`), "not asked for while cached");
    assert.equal(second.metadata.labels?.["topology.kubernetes.io/zone"], "us-west-2b");
    const types = await provider.getInstanceTypes({} as never, classes.get("default") as EC2NodeClass);
    const c5 = types.find((t) => t.name === "c5.large");
    const offering = c5?.offerings.items.find((o) => o.zone === "us-west-2a" && o.capacityType === "spot");
    assert.equal(offering?.available, false);

    clock.step(3 * 60_000);
    assert.ok(
      provider.unavailableOfferings.isUnavailable("c5.large", "us-west-2a", "spot"),
      "through the last instant",
    );
    clock.step(1);
    aws.outOfCapacity.clear();
    const third = await provider.create(nodeClaim("ice-3", ["m5.large", "c5.large"]));
    assert.ok(overridesOf(lastFleet()).includes(`c5.large@${SUBNETS[0]?.id}`));
    assert.equal(third.metadata.labels?.["topology.kubernetes.io/zone"], "us-west-2a");
  });

  test("every override ICE'd: InsufficientCapacityError, and all of them cached", async () => {
    for (const zone of ["us-west-2a", "us-west-2b"]) aws.outOfCapacity.add(`c5.large:${zone}:spot`);
    await assert.rejects(provider.create(nodeClaim("ice-all", ["c5.large"])), InsufficientCapacityError);
    // Spot is cached away: the next attempt falls back to on-demand.
    const next = await provider.create(nodeClaim("ice-all-2", ["c5.large"]));
    assert.equal(next.metadata.labels?.["karpenter.sh/capacity-type"], "on-demand");
  });

  test("markUnavailable (the interruption controller's hook) takes an offering out for 3 minutes", async () => {
    provider.markUnavailable("c5.large", "us-west-2a", "spot", "SpotInterrupted");
    await provider.create(nodeClaim("marked", ["c5.large"]));
    assert.deepEqual(overridesOf(lastFleet()), [`c5.large@${SUBNETS[1]?.id}`]);
  });
});

describe("the safe retry", () => {
  test("a dropped CreateFleet answer: the retry finds the tagged instance instead of launching a second", async () => {
    aws.dropNextFleetAnswer = true;
    aws.describeLag = 1; // the new instance is invisible to the first filtered Describe
    const claim = nodeClaim("lost-answer", ["c5.large"]);
    await assert.rejects(provider.create(claim), CreateError);
    assert.equal(aws.instances.size, 1, "the instance was launched");
    // The controller recorded the attempt before the call; the NodeClaim it retries with carries it.
    assert.deepEqual(attempts, [["lost-answer", 1]]);
    const retried = structuredClone(claim);
    retried.metadata.annotations = { [ANNOTATION_LAUNCH_ATTEMPT]: "1" };
    const creating = provider.create(retried);
    await clock.untilPending(1); // the lookup found nothing yet and waits before looking again
    clock.step(1_000);
    const launched = await creating;
    assert.equal(aws.count("CreateFleet"), 1, "no second launch");
    assert.equal(aws.instances.size, 1);
    const [instance] = aws.instances.values();
    assert.equal(launched.status?.providerID, `aws:///us-west-2a/${instance?.id}`);
    assert.equal(launched.metadata.labels?.["karpenter.sh/capacity-type"], "spot");
  });

  test("the same attempt and request carry the same client token; the next attempt another", async () => {
    const claim = nodeClaim("tokens", ["c5.large"]);
    const first = await provider.create(claim);
    const token = lastFleet().clientToken;
    const again = await provider.create(claim);
    assert.equal(lastFleet().clientToken, token, "attempt 1 again (nothing recorded on this copy)");
    assert.equal(again.status?.providerID, first.status?.providerID, "EC2 replays the first answer");
    assert.equal(aws.instances.size, 1);

    // Attempt 1 recorded and its instance gone: the lookup comes back empty and a new launch gets a new token.
    for (const id of [...aws.instances.keys()]) aws.instances.delete(id);
    const later = structuredClone(claim);
    later.metadata.annotations = { [ANNOTATION_LAUNCH_ATTEMPT]: "1" };
    const launched = await stepping(provider.create(later));
    assert.notEqual(lastFleet().clientToken, token);
    assert.notEqual(launched.status?.providerID, first.status?.providerID);
    assert.deepEqual(attempts.at(-1), ["tokens", 2]);
  });
});

describe("resolution", () => {
  test("the AMI alias follows SSM; the instance profile is made from spec.role", async () => {
    await provider.create(nodeClaim("ami", ["c5.large"]));
    const template = [...aws.launchTemplates.values()][0];
    assert.equal(template?.data.imageId, AL2023_AMD64);
    assert.deepEqual(aws.calls.find((c) => c.op === "GetParameters")?.input, [ssmPath("x86_64"), ssmPath("arm64")]);
    const [profile] = aws.profiles.values();
    assert.deepEqual(profile?.roles, ["KarpenterNodeRole-test-cluster"]);
    assert.equal(template?.data.instanceProfileName, profile?.name);
    const userData = Buffer.from(template?.data.userData ?? "", "base64").toString("utf8");
    assert.match(userData, /apiServerEndpoint: https:\/\/test-cluster/);
    assert.match(userData, /key: karpenter\.sh\/unregistered/);
  });

  test("two launches of one EC2NodeClass at once make its instance profile once", async () => {
    const launched = await Promise.all([
      provider.create(nodeClaim("together-1", ["c5.large"])),
      provider.create(nodeClaim("together-2", ["c5.large"])),
    ]);
    assert.equal(launched.length, 2);
    assert.equal(aws.count("CreateInstanceProfile"), 1);
    assert.equal(aws.count("AddRoleToInstanceProfile"), 1);
    assert.deepEqual(
      [...aws.profiles.values()].map((p) => p.roles),
      [["KarpenterNodeRole-test-cluster"]],
    );
  });

  test("a profile another replica made between the lookup and the create is used, not an error", async () => {
    // IAM's answer to the second create of one name is EntityAlreadyExists (409): the fake answers so too.
    const getInstanceProfile = aws.iam.getInstanceProfile;
    let lookups = 0;
    aws.iam.getInstanceProfile = async (name) => {
      lookups++;
      if (lookups === 1) {
        const missing = getInstanceProfile(name);
        await aws.iam.createInstanceProfile({ name, path: "/other-replica/", tags: [] });
        return missing;
      }
      return getInstanceProfile(name);
    };
    await provider.create(nodeClaim("raced", ["c5.large"]));
    assert.equal(aws.count("CreateInstanceProfile"), 2);
    const [profile] = aws.profiles.values();
    assert.equal(profile?.path, "/other-replica/");
    assert.deepEqual(profile?.roles, ["KarpenterNodeRole-test-cluster"]);
  });

  test("launch templates are reused across launches and collected once unused", async () => {
    await provider.create(nodeClaim("lt-1", ["c5.large"]));
    await provider.create(nodeClaim("lt-2", ["c5.large"]));
    assert.equal(aws.count("CreateLaunchTemplate"), 1);
    clock.step(4 * 60_000);
    assert.deepEqual(await provider.launchTemplates.garbageCollect(), []);
    clock.step(60_000);
    assert.equal((await provider.launchTemplates.garbageCollect()).length, 1);
    assert.equal(aws.launchTemplates.size, 0);
  });
});

describe("get, list, delete", () => {
  test("by provider ID and by tag; delete until the instance is gone", async () => {
    const launched = await provider.create(nodeClaim("gld", ["c5.large"]));
    const got = await provider.get(launched.status?.providerID ?? "");
    assert.equal(got.metadata.name, "gld");
    assert.equal(got.metadata.labels?.["karpenter.sh/nodepool"], "default");
    assert.deepEqual(
      (await provider.list()).map((c) => c.metadata.name),
      ["gld"],
    );
    await provider.delete(launched);
    assert.equal(aws.count("TerminateInstances"), 1);
    await provider.delete(launched);
    assert.equal(aws.count("TerminateInstances"), 1, "not terminated twice while shutting down");
    const id = launched.status?.providerID?.split("/").at(-1) ?? "";
    aws.instances.delete(id);
    await assert.rejects(provider.delete(launched), NodeClaimNotFoundError);
    await assert.rejects(provider.get("aws:///us-west-2a/i-00000000000000bad"), NodeClaimNotFoundError);
  });
});

describe("drift", () => {
  test("NodeClass hash, AMI and security groups", async () => {
    const launched = await provider.create(nodeClaim("drift", ["c5.large"]));
    const current = classes.get("default") as EC2NodeClass;
    assert.equal(await provider.isDrifted(launched, {} as never, current), undefined);

    assert.equal(await provider.isDrifted(launched, {} as never, nodeClass({ tags: { team: "a" } })), "NodeClassDrift");

    aws.parameters.set(ssmPath("x86_64"), "ami-0000000000000c023");
    clock.step(60_000); // past the resolution's reuse
    assert.equal(await provider.isDrifted(launched, {} as never, current), "AMIDrift");
    aws.parameters.set(ssmPath("x86_64"), AL2023_AMD64);

    const other = nodeClass({ securityGroupSelectorTerms: [{ id: "sg-000000000000000a2" }] });
    assert.equal(await provider.isDrifted(launched, {} as never, other), "SecurityGroupDrift");
  });
});
