// The AWS cloud provider end to end through adapters/aws over HTTP to the simulated AWS, with the world's node
// registration on the same fake clock: an EC2NodeClass with the `al2023@latest` alias and `spec.role` has its AMI
// resolved through SSM and its instance profile made through IAM, one CreateFleet launches, and after the boot delay
// the instance registers as a Node carrying the NodeClaim's labels and taints — so the provider's user data is judged
// by the world's own nodeadm reader, not by the provider's tests. A role the cluster does not admit leaves the
// instance running and nodeless, and the world's registration events say why; so does user data naming another
// cluster (what a bug in the provider's user data would do).
//
// Expected values come from the NodeClaims written here, the simulator read through the raw SDK clients (the SSM
// parameter Karpenter resolves al2023@latest to, IAM's instance profiles, EC2's instances), the scenario's boot
// delay and the taint Karpenter v1 registers every node with, karpenter.sh/unregistered:NoExecute
// (pkg/apis/v1 `UnregisteredNoExecuteTaint`).
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { DescribeInstancesCommand } from "@aws-sdk/client-ec2";
import { ListInstanceProfilesCommand } from "@aws-sdk/client-iam";
import { GetParameterCommand } from "@aws-sdk/client-ssm";
import type { EC2NodeClass, NodeClaim } from "../../../api/index.ts";
import { sdkAwsPorts } from "../../../adapters/aws/index.ts";
import { AwsCloudProvider } from "../../../cloudprovider/aws/index.ts";
import { ObjectStore, servedKindRegistry, type KubeObject } from "../../../sim/index.ts";
import { NodeRegistration } from "../../../sim/world/node-registration/index.ts";
import { type AwsWorld, CREDENTIALS, startAwsWorld } from "../../sim/aws/aws-world.ts";

const ADMITTED_ROLE = "KarpenterNodeRole-sim";
const UNADMITTED_ROLE = "KarpenterNodeRole-elsewhere";
const BOOT_DELAY_MS = 60_000;
const AL2023_X86 = "/aws/service/eks/optimized-ami/1.34/amazon-linux-2023/x86_64/standard/recommended/image_id";

function nodeClass(name: string, role: string): EC2NodeClass {
  return {
    apiVersion: "karpenter.k8s.aws/v1",
    kind: "EC2NodeClass",
    metadata: { name, uid: `${name}-uid` },
    spec: {
      amiSelectorTerms: [{ alias: "al2023@latest" }],
      subnetSelectorTerms: [{ tags: { "karpenter.sh/discovery": "sim" } }],
      securityGroupSelectorTerms: [{ tags: { "karpenter.sh/discovery": "sim" } }],
      role,
    },
  } as EC2NodeClass;
}

const BIG_DISK_GIB = 100;
const bigDisk = nodeClass("bigdisk", ADMITTED_ROLE);
bigDisk.spec = {
  ...nodeClass("bigdisk", ADMITTED_ROLE).spec,
  blockDeviceMappings: [
    { deviceName: "/dev/xvda", ebs: { volumeSize: `${BIG_DISK_GIB}Gi`, volumeType: "gp3", encrypted: true } },
  ],
} as EC2NodeClass["spec"];

const CLASSES = new Map([
  ["default", nodeClass("default", ADMITTED_ROLE)],
  ["elsewhere", nodeClass("elsewhere", UNADMITTED_ROLE)],
  ["bigdisk", bigDisk],
]);

function nodeClaim(name: string, nodeClassName: string): NodeClaim {
  return {
    apiVersion: "karpenter.sh/v1",
    kind: "NodeClaim",
    metadata: {
      name,
      uid: `${name}-uid`,
      labels: { "karpenter.sh/nodepool": "default", "example.com/team": "ml" },
    },
    spec: {
      nodeClassRef: { group: "karpenter.k8s.aws", kind: "EC2NodeClass", name: nodeClassName },
      requirements: [
        { key: "node.kubernetes.io/instance-type", operator: "In", values: ["m5.large"] },
        { key: "karpenter.sh/capacity-type", operator: "In", values: ["on-demand"] },
        { key: "kubernetes.io/arch", operator: "In", values: ["amd64"] },
      ],
      taints: [{ key: "example.com/gpu", value: "true", effect: "NoSchedule" }],
      startupTaints: [{ key: "example.com/warming", effect: "NoExecute" }],
    },
  } as NodeClaim;
}

let world: AwsWorld;
let ports: ReturnType<typeof sdkAwsPorts>;
let store: ObjectStore;
let registration: NodeRegistration;
let provider: AwsCloudProvider;

const CLUSTER = {
  name: "sim",
  endpoint: "https://sim.example",
  caBundle: Buffer.from("-----BEGIN CERTIFICATE-----\nsim\n-----END CERTIFICATE-----\n").toString("base64"),
  serviceCIDR: "10.100.0.0/16",
  dnsIP: "10.100.0.10",
};

function awsCloudProvider(cluster: typeof CLUSTER): AwsCloudProvider {
  return new AwsCloudProvider({
    ports,
    clock: world.clock,
    region: "us-west-2",
    kubernetesVersion: "1.34",
    cluster,
    nodeClass: (name) => CLASSES.get(name),
  });
}

before(async () => {
  world = await startAwsWorld({ roles: [ADMITTED_ROLE, UNADMITTED_ROLE] });
  ports = sdkAwsPorts({ endpoint: world.server.endpoint, region: "us-west-2", credentials: CREDENTIALS });
  store = new ObjectStore(servedKindRegistry(), { clock: world.clock });
  registration = new NodeRegistration(world.server.cloud, store, {
    clock: world.clock,
    bootDelayMs: BOOT_DELAY_MS,
  }).start();
  provider = awsCloudProvider(CLUSTER);
  await provider.instanceTypes.refresh();
});
after(async () => {
  registration.stop();
  ports.destroy();
  await world.close();
});

function nodes(): KubeObject[] {
  const kind = store.registry.resource("", "v1", "nodes");
  assert.ok(kind);
  return store.list(kind).items;
}

const nodeOf = (providerID: string) =>
  nodes().find((n) => (n.spec as { providerID?: string } | undefined)?.providerID === providerID);

async function instance(providerID: string) {
  const id = providerID.split("/").at(-1) ?? "";
  const described = await world.ec2.send(new DescribeInstancesCommand({ InstanceIds: [id] }));
  const found = described.Reservations?.[0]?.Instances?.[0];
  assert.ok(found, `instance ${id} is described`);
  return found;
}

describe("an admitted role: the instance registers as a Node", () => {
  let providerID = "";

  test("the AMI is the one SSM names for al2023@latest, and the instance runs as a profile IAM now has", async () => {
    const launched = await provider.create(nodeClaim("default-boot1", "default"));
    providerID = launched.status?.providerID ?? "";
    world.clock.step(world.server.cloud.scenario.describeLagMs); // EC2's Describe sees a new instance after a lag
    const ran = await instance(providerID);

    const parameter = await world.ssm.send(new GetParameterCommand({ Name: AL2023_X86 }));
    assert.equal(ran.ImageId, parameter.Parameter?.Value);
    assert.equal(launched.status?.imageID, parameter.Parameter?.Value);

    const profiles = await world.iam.send(new ListInstanceProfilesCommand({ PathPrefix: "/karpenter/" }));
    assert.equal(profiles.InstanceProfiles?.length, 1, "one profile made, for the class that launched");
    const [profile] = profiles.InstanceProfiles ?? [];
    assert.deepEqual(
      profile?.Roles?.map((r) => r.RoleName),
      [ADMITTED_ROLE],
    );
    assert.equal(ran.IamInstanceProfile?.Arn, profile?.Arn);
    assert.deepEqual(nodes(), [], "no Node before the boot");
  });

  test("no Node a moment before the boot delay; at it, a Node with the claim's labels and taints", () => {
    world.clock.step(BOOT_DELAY_MS - 1_000 - world.server.cloud.scenario.describeLagMs);
    assert.equal(nodeOf(providerID), undefined);
    world.clock.step(1_000);
    const node = nodeOf(providerID);
    assert.ok(node, `a Node for ${providerID}; registration events: ${JSON.stringify(registration.events)}`);

    const labels = (node.metadata as { labels?: Record<string, string> } | undefined)?.labels ?? {};
    assert.equal(labels["karpenter.sh/nodepool"], "default");
    assert.equal(labels["example.com/team"], "ml");
    assert.equal(labels["karpenter.sh/capacity-type"], "on-demand");
    assert.equal(labels["node.kubernetes.io/instance-type"], "m5.large");
    const taints = (node.spec as { taints?: { key: string; value?: string; effect: string }[] }).taints ?? [];
    assert.deepEqual(
      taints.map((t) => `${t.key}${t.value === undefined || t.value === "" ? "" : `=${t.value}`}:${t.effect}`),
      ["example.com/gpu=true:NoSchedule", "example.com/warming:NoExecute", "karpenter.sh/unregistered:NoExecute"],
    );
    assert.deepEqual(
      registration.events.map((e) => e.outcome),
      ["Registered"],
    );
  });
});

describe("a 100Gi root volume in the EC2NodeClass", () => {
  test("the launch template carries it, and the Node's ephemeral storage is that volume's filesystem", async () => {
    const launched = await provider.create(nodeClaim("bigdisk-boot4", "bigdisk"));
    const providerID = launched.status?.providerID ?? "";
    world.clock.step(BOOT_DELAY_MS + world.server.cloud.scenario.describeLagMs);
    const ran = await instance(providerID);
    const node = nodeOf(providerID);
    assert.ok(node, `a Node for ${providerID}; registration events: ${JSON.stringify(registration.events)}`);
    // What EC2 was asked for: the launch template of the instance, as the world recorded it.
    const template = world.server.cloud
      .launchTemplates()
      .find((t) => ran.Tags?.some((tag) => tag.Key === "aws:ec2launchtemplate:id" && tag.Value === t.id));
    const templates = world.server.cloud
      .launchTemplates()
      .filter((t) => t.spec.blockDeviceMappings?.[0]?.ebs.VolumeSize === "100");
    assert.equal(templates.length, 1, `one template with a 100 GiB volume (${template?.name ?? "by tag: none"})`);
    const gib = 1024 ** 3;
    const storage = (resources: unknown) =>
      Number(String((resources as Record<string, string>)["ephemeral-storage"]).replace(/Ki$/, "")) * 1024;
    const big = storage((node.status as { capacity?: unknown }).capacity);
    // A filesystem is a little smaller than its volume, and nothing like the 20 GiB default.
    assert.ok(big < BIG_DISK_GIB * gib && big > 0.995 * BIG_DISK_GIB * gib, `${big / gib} GiB`);
    const small = nodes().find(
      (n) => n !== node && (n.metadata as { labels?: Record<string, string> }).labels?.["karpenter.sh/nodepool"],
    );
    assert.ok(small, "the default class's node, launched earlier");
    assert.ok(Math.abs(storage((small.status as { capacity?: unknown }).capacity) / big - 20 / BIG_DISK_GIB) < 0.001);
  });
});

describe("a role the cluster does not admit", () => {
  test("the instance runs but no Node registers, and the registration event says the role is not admitted", async () => {
    const launched = await provider.create(nodeClaim("elsewhere-boot2", "elsewhere"));
    const providerID = launched.status?.providerID ?? "";
    world.clock.step(BOOT_DELAY_MS + world.server.cloud.scenario.pendingMs);

    assert.equal((await instance(providerID)).State?.Name, "running");
    assert.equal(nodeOf(providerID), undefined);
    const id = providerID.split("/").at(-1);
    const events = registration.events.filter((e) => e.instanceId === id);
    assert.deepEqual(
      events.map((e) => e.outcome),
      ["NotRegistered"],
    );
    assert.match(events[0]?.message ?? "", new RegExp(`role ${UNADMITTED_ROLE} .* is not admitted by cluster sim`));
  });
});

describe("user data naming another cluster", () => {
  test("the instance runs but no Node registers, and the registration event names both clusters", async () => {
    const misconfigured = awsCloudProvider({ ...CLUSTER, name: "other" });
    await misconfigured.instanceTypes.refresh();
    const launched = await misconfigured.create(nodeClaim("default-boot3", "default"));
    const providerID = launched.status?.providerID ?? "";
    world.clock.step(BOOT_DELAY_MS + world.server.cloud.scenario.pendingMs);

    assert.equal((await instance(providerID)).State?.Name, "running");
    assert.equal(nodeOf(providerID), undefined);
    const events = registration.events.filter((e) => e.instanceId === providerID.split("/").at(-1));
    assert.deepEqual(
      events.map((e) => e.outcome),
      ["NotRegistered"],
    );
    assert.match(events[0]?.message ?? "", /user data names cluster "other", not "sim"$/);
  });
});
