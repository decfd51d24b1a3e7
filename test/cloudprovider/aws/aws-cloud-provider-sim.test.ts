// The AWS cloud provider through adapters/aws over HTTP to the simulated EC2: types and offerings described by
// the simulator (it has no spot prices yet, so the pool's spot offerings are unavailable and on-demand is
// launched), the EC2NodeClass's subnets, security group and AMI resolved by tag and name, a launch template and one
// CreateFleet, then get, list and delete by tag. The EC2NodeClass here names its instance profile and selects AMIs
// by name, so neither SSM nor IAM is called (aws-cloud-provider-boot.test.ts resolves an alias through SSM, makes
// the profile through IAM and boots the instance into a Node). Expected values come from the simulator's scenario
// (sim/world/cloud/scenario.ts) and the catalog's prices.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { DescribeInstancesCommand } from "@aws-sdk/client-ec2";
import type { EC2NodeClass, NodeClaim } from "../../../api/index.ts";
import { SdkEc2 } from "../../../adapters/aws/index.ts";
import { AwsCloudProvider } from "../../../cloudprovider/aws/aws-cloud-provider.ts";
import { NodeClaimNotFoundError } from "../../../cloudprovider/errors.ts";
import { FakeAws } from "../../support/fake-aws.ts";
import { type AwsWorld, CREDENTIALS, startAwsWorld } from "../../sim/aws/aws-world.ts";

const NODE_CLASS = {
  apiVersion: "karpenter.k8s.aws/v1",
  kind: "EC2NodeClass",
  metadata: { name: "default" },
  spec: {
    amiFamily: "AL2023",
    // One Kubernetes version's standard images: a name matching every AL2023 image would pick the newest of all
    // versions and variants, as Karpenter does for a name term.
    amiSelectorTerms: [{ name: "amazon-eks-node-al2023-*-standard-1.34-*", owner: "602401143452" }],
    subnetSelectorTerms: [{ tags: { "karpenter.sh/discovery": "sim" } }],
    securityGroupSelectorTerms: [{ tags: { "karpenter.sh/discovery": "sim" } }],
    instanceProfile: "sim-nodes",
  },
} as EC2NodeClass;

const CLAIM = {
  apiVersion: "karpenter.sh/v1",
  kind: "NodeClaim",
  metadata: { name: "default-x7k2p", uid: "5d0c2f9e", labels: { "karpenter.sh/nodepool": "default" } },
  spec: {
    nodeClassRef: { group: "karpenter.k8s.aws", kind: "EC2NodeClass", name: "default" },
    requirements: [
      { key: "node.kubernetes.io/instance-type", operator: "In", values: ["m5.large", "c5.large"] },
      { key: "karpenter.sh/capacity-type", operator: "In", values: ["spot", "on-demand"] },
      { key: "kubernetes.io/arch", operator: "In", values: ["amd64"] },
    ],
  },
} as NodeClaim;

let world: AwsWorld;
let ec2: SdkEc2;
let provider: AwsCloudProvider;
before(async () => {
  world = await startAwsWorld({ unoffered: [{ instanceType: "c5.large", zone: "us-west-2a" }] });
  ec2 = new SdkEc2({ endpoint: world.server.endpoint, region: "us-west-2", credentials: CREDENTIALS });
  const unused = new FakeAws(() => world.clock.now());
  provider = new AwsCloudProvider({
    ports: { ec2, ssm: unused.ssm, iam: unused.iam },
    clock: world.clock,
    region: "us-west-2",
    kubernetesVersion: "1.34",
    cluster: { name: "sim", endpoint: "https://sim.example", serviceCIDR: "10.100.0.0/16", dnsIP: "10.100.0.10" },
    nodeClass: () => NODE_CLASS,
  });
  await provider.instanceTypes.refresh();
});
after(async () => {
  ec2.destroy();
  await world.close();
});

test("the refresh took types and offerings from the simulator; spot prices it lacks are an error kept aside", async () => {
  assert.match(String(provider.instanceTypes.lastRefreshError), /DescribeSpotPriceHistory/);
  const types = await provider.getInstanceTypes({} as never, NODE_CLASS);
  const c5 = types.find((t) => t.name === "c5.large");
  assert.deepEqual(
    c5?.offerings.items.filter((o) => o.available).map((o) => `${o.capacityType}@${o.zone}`),
    ["on-demand@us-west-2b", "on-demand@us-west-2c"],
  );
});

test("create launches the cheapest on-demand offering through one launch template and one CreateFleet", async () => {
  const launched = await provider.create(CLAIM);
  const labels = launched.metadata.labels ?? {};
  assert.equal(labels["node.kubernetes.io/instance-type"], "c5.large"); // 0.085 USD/h against m5.large's 0.096
  assert.equal(labels["karpenter.sh/capacity-type"], "on-demand");
  assert.equal(labels["topology.kubernetes.io/zone"], "us-west-2b");
  assert.equal(launched.status?.imageID, "ami-0a00000000000a023");
  const id = launched.status?.providerID?.split("/").at(-1) ?? "";

  const described = await world.ec2.send(new DescribeInstancesCommand({ InstanceIds: [id] }));
  const instance = described.Reservations?.[0]?.Instances?.[0];
  assert.equal(instance?.SubnetId, "subnet-00000000000000002");
  assert.deepEqual(
    instance?.SecurityGroups?.map((g) => g.GroupId),
    ["sg-0000000000000a001"],
  );
  const tags = Object.fromEntries((instance?.Tags ?? []).map((t) => [t.Key, t.Value]));
  assert.equal(tags["karpenter.sh/nodeclaim"], "default-x7k2p");
  assert.equal(tags["karpenter.sh/nodepool"], "default");
  assert.equal(tags["karpenter.k8s.aws/ec2nodeclass"], "default");
  assert.equal(tags["eks:eks-cluster-name"], "sim");
  assert.equal(tags["kubernetes.io/cluster/sim"], "owned");
});

test("get and list find it by id and tag; delete terminates it until it is gone", async () => {
  const [listed] = await provider.list();
  assert.equal(listed?.metadata.name, "default-x7k2p");
  const providerID = listed?.status?.providerID ?? "";
  const got = await provider.get(providerID);
  assert.equal(got.metadata.labels?.["node.kubernetes.io/instance-type"], "c5.large");
  world.clock.step(world.server.cloud.scenario.pendingMs);
  await provider.delete(got);
  world.clock.step(world.server.cloud.scenario.shuttingDownMs);
  await assert.rejects(provider.delete(got), NodeClaimNotFoundError);
  assert.deepEqual(await provider.list(), []);
});
