// One suite for the EC2-shaped port (api/ports/ec2.ts: EC2, SSM, IAM), run against each implementation — in process
// over the simulated cloud (sim/aws/ports.ts) and adapters/aws over HTTP to the simulated endpoint — so both behave
// alike. The judge is the world itself: expected values come from the scenario, the bundled catalog and the world's
// own records (its instances, parameter store and IAM account), which neither implementation reads to answer.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, test } from "node:test";
import {
  AwsApiError,
  type AwsPorts,
  type FleetRequest,
  IdempotentParameterMismatch,
  NotFound,
} from "../../api/index.ts";
import type { Cloud, CloudScenario } from "../../sim/world/cloud/index.ts";
import type { FakeClock } from "./fake-clock.ts";

export interface AwsPortsHarness {
  ports: AwsPorts;
  cloud: Cloud;
  /** The world's clock. */
  clock: FakeClock;
  stop(): Promise<void>;
}

const ROLE = "KarpenterNodeRole-sim";
const OTHER_ROLE = "KarpenterNodeRole-other";
const PROFILE = "sim_1234567890abcdef";
const PATH = "/karpenter/us-west-2/sim/nc-uid/";
const AL2023 = "/aws/service/eks/optimized-ami/1.34/amazon-linux-2023";

const TEMPLATE_DATA = {
  imageId: "ami-0a00000000000a023",
  securityGroupIds: ["sg-0000000000000a001"],
  userData: Buffer.from("#!/bin/bash\n").toString("base64"),
  instanceProfileName: "sim_profile",
  instanceTags: [{ key: "karpenter.sh/nodepool", value: "default" }],
  blockDeviceMappings: [
    { deviceName: "/dev/xvda", ebs: { encrypted: true, volumeType: "gp3", volumeSizeGiB: 20 } },
    {
      deviceName: "/dev/xvdb",
      ebs: { deleteOnTermination: true, volumeType: "io2", iops: 10_000, kmsKeyId: "alias/nodes", volumeSizeGiB: 187 },
    },
  ],
  metadataOptions: {
    httpEndpoint: "enabled",
    httpProtocolIpv6: "disabled",
    httpPutResponseHopLimit: 1,
    httpTokens: "required",
  },
  detailedMonitoring: true,
} as const;

/** The scenario every run of the suite starts its world with. */
export const CONTRACT_SCENARIO: Partial<CloudScenario> = {
  unoffered: [{ instanceType: "c5.large", zone: "us-west-2b" }],
  // No Describe lag here: these are the port's shapes; the lag is the cloud provider's to ride out.
  describeLagMs: 0,
  roles: [ROLE, OTHER_ROLE],
  parameters: [{ name: "/team/ami", value: "ami-0123456789abcdef0" }],
};

const catalogNames = (
  JSON.parse(readFileSync(new URL("../../data/ec2-instance-types.json", import.meta.url), "utf8")) as {
    name: string;
  }[]
).map((t) => t.name);

/** The error a call rejected with, asserted to be an AwsApiError. */
async function rejection(call: Promise<unknown>): Promise<AwsApiError> {
  const error = await call.then(
    () => undefined,
    (e: unknown) => e,
  );
  assert.ok(error instanceof AwsApiError, `an AwsApiError, got ${String(error)}`);
  return error;
}

export function awsPortsContract(label: string, start: () => Promise<AwsPortsHarness>): void {
  describe(`EC2-shaped port contract: ${label}`, () => {
    let harness: AwsPortsHarness;
    let ports: AwsPorts;
    let cloud: Cloud;
    test.before(async () => {
      harness = await start();
      ({ ports, cloud } = harness);
    });
    test.after(async () => {
      await harness.stop();
    });

    describe("EC2: describe calls answer everything, in the port's shapes", () => {
      test("DescribeInstanceTypes lists every catalog type, m5.large with its vCPUs, memory and ENIs", async () => {
        const types = await ports.ec2.describeInstanceTypes();
        assert.deepEqual(types.map((t) => t.instanceType).sort(), [...catalogNames].sort());
        assert.deepEqual(
          types.find((t) => t.instanceType === "m5.large"),
          {
            instanceType: "m5.large",
            vcpus: 2,
            memoryMiB: 8192,
            architectures: ["x86_64"],
            supportedUsageClasses: ["on-demand", "spot"],
            maxNetworkInterfaces: 3,
            ipv4AddressesPerInterface: 10,
            bareMetal: false,
            burstable: false,
            gpus: 0,
          },
        );
        const gpu = types.find((t) => t.instanceType === "p3.8xlarge");
        assert.equal(gpu?.gpus, 4, "p3.8xlarge has four V100s");
      });

      test("DescribeInstanceTypeOfferings: every type in every zone but the unoffered one", async () => {
        const offerings = await ports.ec2.describeInstanceTypeOfferings();
        assert.equal(offerings.length, catalogNames.length * cloud.scenario.zones.length - 1);
        assert.ok(!offerings.some((o) => o.instanceType === "c5.large" && o.zone === "us-west-2b"));
        assert.ok(offerings.some((o) => o.instanceType === "c5.large" && o.zone === "us-west-2a"));
      });

      test("spot prices for two types in every zone that offers them, below the on-demand price", async () => {
        const prices = await ports.ec2.describeSpotPriceHistory({
          startTime: cloud.clock.now(),
          instanceTypes: ["m5.large", "c5.large"],
        });
        const seen = new Set(prices.map((p) => `${p.instanceType}/${p.zone}`));
        const expected = ["m5.large", "c5.large"].flatMap((type) =>
          cloud.scenario.zones.filter((z) => cloud.isOffered(type, z.name)).map((z) => `${type}/${z.name}`),
        );
        assert.deepEqual([...seen].sort(), expected.sort());
        for (const p of prices) {
          assert.ok(p.price > 0 && p.price < (cloud.instanceType(p.instanceType)?.onDemandUsd ?? 0), `${p.price}`);
        }
      });

      test("subnets, security groups and images by tag, by id and by name", async () => {
        const discovery = [{ name: "tag:karpenter.sh/discovery", values: [cloud.scenario.clusterName] }];
        const subnets = await ports.ec2.describeSubnets({ filters: discovery });
        const tagged = cloud.scenario.subnets.filter((s) =>
          s.tags.some((t) => t.key === "karpenter.sh/discovery" && t.value === cloud.scenario.clusterName),
        );
        assert.deepEqual(
          subnets.map((s) => [s.id, s.zone, s.zoneId, s.availableIpAddressCount]),
          tagged.map((s) => [s.id, s.zone, cloud.scenario.zones.find((z) => z.name === s.zone)?.id, s.availableIps]),
        );
        const first = tagged[0]?.id ?? "";
        assert.deepEqual(
          (await ports.ec2.describeSubnets({ ids: [first] })).map((s) => s.id),
          [first],
        );
        const groups = await ports.ec2.describeSecurityGroups({ filters: discovery });
        const taggedGroups = cloud.scenario.securityGroups.filter((g) =>
          g.tags.some((t) => t.key === "karpenter.sh/discovery"),
        );
        assert.deepEqual(
          groups.map((g) => [g.id, g.name]),
          taggedGroups.map((g) => [g.id, g.name]),
        );
        const images = await ports.ec2.describeImages({
          filters: [{ name: "name", values: ["amazon-eks-node-al2023-*-standard-1.34-v20251120"] }],
        });
        assert.deepEqual(
          images.map((i) => [i.id, i.architecture]).sort(),
          cloud.scenario.images
            .filter((i) => /^amazon-eks-node-al2023-.*-standard-1\.34-v20251120$/.test(i.name))
            .map((i) => [i.id, i.architecture])
            .sort(),
        );
        assert.equal(images.length, 2, "x86_64 and arm64");
      });

      test("an unknown id is NotFound with EC2's code", async () => {
        const missing = await rejection(ports.ec2.describeSubnets({ ids: ["subnet-0000000000000dead"] }));
        assert.ok(missing instanceof NotFound);
        assert.equal(missing.code, "InvalidSubnetID.NotFound");
        const instance = await rejection(ports.ec2.describeInstances({ ids: ["i-0000000000000dead"] }));
        assert.ok(instance instanceof NotFound);
        assert.equal(instance.code, "InvalidInstanceID.NotFound");
      });
    });

    describe("EC2: launch templates", () => {
      const owned = [
        { key: "karpenter.k8s.aws/ec2nodeclass", value: "default" },
        { key: "eks:eks-cluster-name", value: "contract" },
      ];

      test("created with its tags; the same name again is AlreadyExists, not NotFound", async () => {
        const template = await ports.ec2.createLaunchTemplate("contract/one", TEMPLATE_DATA, owned);
        assert.match(template.id, /^lt-[0-9a-f]{17}$/);
        assert.equal(template.name, "contract/one");
        assert.deepEqual(template.tags, owned);
        assert.equal(template.createTime.getTime(), cloud.clock.now().getTime());
        // What EC2 received, in its API's member names (LaunchTemplateEbsBlockDeviceRequest,
        // LaunchTemplateInstanceMetadataOptionsRequest), as the world recorded it.
        const held = cloud.launchTemplate({ name: "contract/one" }).spec;
        assert.deepEqual(held.blockDeviceMappings, [
          { deviceName: "/dev/xvda", ebs: { Encrypted: "true", VolumeType: "gp3", VolumeSize: "20" } },
          {
            deviceName: "/dev/xvdb",
            ebs: {
              DeleteOnTermination: "true",
              VolumeType: "io2",
              Iops: "10000",
              KmsKeyId: "alias/nodes",
              VolumeSize: "187",
            },
          },
        ]);
        assert.deepEqual(held.metadataOptions, {
          HttpEndpoint: "enabled",
          HttpProtocolIpv6: "disabled",
          HttpPutResponseHopLimit: "1",
          HttpTokens: "required",
        });
        assert.equal(held.detailedMonitoring, true);
        const again = await rejection(ports.ec2.createLaunchTemplate("contract/one", TEMPLATE_DATA, owned));
        assert.ok(!(again instanceof NotFound));
        assert.equal(again.code, "InvalidLaunchTemplateName.AlreadyExistsException");
      });

      test("described by name and by tag filter; an unknown name is NotFound", async () => {
        await ports.ec2.createLaunchTemplate("contract/two", TEMPLATE_DATA, [owned[1] ?? { key: "", value: "" }]);
        const byName = await ports.ec2.describeLaunchTemplates({ names: ["contract/two"] });
        assert.deepEqual(
          byName.map((t) => t.name),
          ["contract/two"],
        );
        const byTag = await ports.ec2.describeLaunchTemplates({
          filters: [
            { name: "tag:eks:eks-cluster-name", values: ["contract"] },
            { name: "tag:karpenter.k8s.aws/ec2nodeclass", values: ["default"] },
          ],
        });
        assert.deepEqual(
          byTag.map((t) => t.name),
          ["contract/one"],
        );
        const unknown = await rejection(ports.ec2.describeLaunchTemplates({ names: ["contract/none"] }));
        assert.ok(unknown instanceof NotFound);
        assert.equal(unknown.code, "InvalidLaunchTemplateName.NotFoundException");
      });

      test("deleted, then gone from the answers; deleting again is NotFound", async () => {
        await ports.ec2.deleteLaunchTemplate("contract/two");
        const left = await ports.ec2.describeLaunchTemplates({
          filters: [{ name: "tag:eks:eks-cluster-name", values: ["contract"] }],
        });
        assert.deepEqual(
          left.map((t) => t.name),
          ["contract/one"],
        );
        assert.ok((await rejection(ports.ec2.deleteLaunchTemplate("contract/two"))) instanceof NotFound);
      });
    });

    describe("EC2: launching through a launch template and CreateFleet", () => {
      const fleet = (clientToken: string, types: string[], subnetId: string): FleetRequest => ({
        capacityType: "on-demand",
        allocationStrategy: "lowest-price",
        launchTemplates: [
          { launchTemplateName: "contract/one", overrides: types.map((instanceType) => ({ instanceType, subnetId })) },
        ],
        tags: [{ key: "karpenter.sh/nodeclaim", value: "default-abcde" }],
        clientToken,
      });

      test("a fleet launches one instance, tagged, found by its tag; per-override errors keep EC2's code", async () => {
        const subnetB = cloud.scenario.subnets.find((s) => s.zone === "us-west-2b")?.id ?? "";
        const result = await ports.ec2.createFleet(fleet("token-1", ["c5.large", "m5.large"], subnetB));
        assert.deepEqual(
          result.instances.map((i) => [i.instanceType, i.subnetId]),
          [["m5.large", subnetB]],
        );
        assert.deepEqual(
          result.errors.map((e) => [e.code, e.instanceType, e.subnetId]),
          [["Unsupported", "c5.large", subnetB]],
        );
        const found = await ports.ec2.describeInstances({
          filters: [{ name: "tag:karpenter.sh/nodeclaim", values: ["default-abcde"] }],
        });
        const launched = cloud.instance(result.instances[0]?.id ?? "");
        assert.deepEqual(
          found.map((i) => [i.id, i.instanceType, i.zone, i.capacityType, i.state, i.imageId, i.subnetId]),
          [[launched.id, "m5.large", "us-west-2b", "on-demand", "pending", TEMPLATE_DATA.imageId, subnetB]],
        );
        assert.deepEqual(found[0]?.securityGroupIds, TEMPLATE_DATA.securityGroupIds);
        assert.deepEqual(found[0]?.tags.map((t) => t.key).sort(), ["karpenter.sh/nodeclaim", "karpenter.sh/nodepool"]);
      });

      test("the same client token replays; with other parameters it is IdempotentParameterMismatch", async () => {
        const subnetA = cloud.scenario.subnets[0]?.id ?? "";
        const first = await ports.ec2.createFleet(fleet("token-2", ["m5.large"], subnetA));
        const again = await ports.ec2.createFleet(fleet("token-2", ["m5.large"], subnetA));
        assert.deepEqual(again.instances, first.instances);
        await assert.rejects(
          ports.ec2.createFleet(fleet("token-2", ["m5.xlarge"], subnetA)),
          IdempotentParameterMismatch,
        );
      });

      test("DescribeInstanceStatus: the running instances' checks and scheduled events, as the world holds them", async () => {
        const [instance] = await ports.ec2.describeInstances({
          filters: [{ name: "tag:karpenter.sh/nodeclaim", values: ["default-abcde"] }],
        });
        assert.ok(instance);
        assert.deepEqual(
          (await ports.ec2.describeInstanceStatus()).find((s) => s.instanceId === instance.id),
          undefined,
          "a pending instance has no status yet",
        );
        harness.clock.step(cloud.scenario.pendingMs);
        cloud.health.impair(instance.id, "system");
        const retirement = cloud.health.schedule(instance.id, {
          code: "instance-retirement",
          description: "The instance is running on degraded hardware",
          notBefore: cloud.clock.now().getTime() + 3_600_000,
        });
        const statuses = await ports.ec2.describeInstanceStatus();
        const running = cloud.instances().filter((i) => cloud.stateOf(i) === "running");
        assert.deepEqual(statuses.map((s) => s.instanceId).sort(), running.map((i) => i.id).sort());
        assert.deepEqual(
          statuses.find((s) => s.instanceId === instance.id),
          {
            instanceId: instance.id,
            instanceStatus: "ok",
            systemStatus: "impaired",
            events: [{ code: retirement.code, description: retirement.description }],
          },
        );
        cloud.health.heal(instance.id);
      });

      test("tag and terminate; the world sees both", async () => {
        const [instance] = await ports.ec2.describeInstances({
          filters: [{ name: "tag:karpenter.sh/nodeclaim", values: ["default-abcde"] }],
        });
        assert.ok(instance);
        await ports.ec2.createTags([instance.id], [{ key: "karpenter.sh/managed-by", value: "sim" }]);
        assert.ok(cloud.instance(instance.id).tags.some((t) => t.key === "karpenter.sh/managed-by"));
        const terminated = await ports.ec2.terminateInstances([instance.id]);
        // Running since the status test moved the clock past its pending time.
        assert.deepEqual(terminated, [{ id: instance.id, previousState: "running", currentState: "shutting-down" }]);
        assert.equal(cloud.stateOf(cloud.instance(instance.id)), "shutting-down");
      });
    });

    describe("SSM: Parameter Store reads", () => {
      test("a parameter by its full path names the image the world has for al2023 x86_64 standard", async () => {
        const id = await ports.ssm.getParameter(`${AL2023}/x86_64/standard/recommended/image_id`);
        assert.equal(cloud.image(id).name, "amazon-eks-node-al2023-x86_64-standard-1.34-v20251120");
        assert.equal(await ports.ssm.getParameter("/team/ami"), "ami-0123456789abcdef0", "the account's own");
      });

      test("every parameter under a path, asked for by name (more than ten), all answered", async () => {
        const listed = new Map(
          cloud.ssm.byPath("/aws/service/eks/optimized-ami", true).map((p) => [p.name, p.value] as const),
        );
        assert.ok(listed.size > 10, `${listed.size} parameters: enough to need two GetParameters calls`);
        assert.deepEqual(await ports.ssm.getParameters([...listed.keys()]), listed);
      });

      test("names SSM does not know are left out of getParameters; getParameter rejects with NotFound", async () => {
        const known = `${AL2023}/arm64/standard/recommended/image_id`;
        const unknown = `${AL2023}/riscv64/standard/recommended/image_id`;
        assert.deepEqual([...(await ports.ssm.getParameters([unknown, known])).keys()], [known]);
        const missing = await rejection(ports.ssm.getParameter(unknown));
        assert.ok(missing instanceof NotFound);
        assert.equal(missing.code, "ParameterNotFound");
      });

      test("a malformed request is SSM's own error, typed but not NotFound", async () => {
        const refused = await rejection(ports.ssm.getParameter(""));
        assert.ok(!(refused instanceof NotFound));
        assert.equal(refused.code, "ValidationException");
      });
    });

    describe("IAM: an instance profile from creation to deletion", () => {
      test("get before create is NotFound (NoSuchEntity)", async () => {
        const missing = await rejection(ports.iam.getInstanceProfile(PROFILE));
        assert.ok(missing instanceof NotFound);
        assert.equal(missing.code, "NoSuchEntity");
      });

      test("create returns the profile with its path, ARN (IAM's documented form) and tags, no role", async () => {
        const created = await ports.iam.createInstanceProfile({
          name: PROFILE,
          path: PATH,
          tags: [{ key: "kubernetes.io/cluster/sim", value: "owned" }],
        });
        assert.deepEqual(created, {
          name: PROFILE,
          arn: `arn:aws:iam::${cloud.scenario.accountId}:instance-profile${PATH}${PROFILE}`,
          path: PATH,
          roles: [],
          tags: [{ key: "kubernetes.io/cluster/sim", value: "owned" }],
        });
      });

      test("creating it again (no tags) is EntityAlreadyExists, not NotFound", async () => {
        const again = await rejection(ports.iam.createInstanceProfile({ name: PROFILE, path: PATH, tags: [] }));
        assert.ok(!(again instanceof NotFound));
        assert.equal(again.code, "EntityAlreadyExists");
      });

      test("the role is added; a second is LimitExceeded; an unknown role is NotFound", async () => {
        await ports.iam.addRoleToInstanceProfile(PROFILE, ROLE);
        const second = await rejection(ports.iam.addRoleToInstanceProfile(PROFILE, OTHER_ROLE));
        assert.ok(!(second instanceof NotFound));
        assert.equal(second.code, "LimitExceeded");
        assert.ok(
          (await rejection(ports.iam.removeRoleFromInstanceProfile(PROFILE, "NoSuchRole"))) instanceof NotFound,
        );
      });

      test("tags are added to the ones it has; get shows what the world's account holds", async () => {
        await ports.iam.tagInstanceProfile(PROFILE, [{ key: "karpenter.k8s.aws/ec2nodeclass", value: "default" }]);
        const got = await ports.iam.getInstanceProfile(PROFILE);
        const held = cloud.iam.instanceProfile(PROFILE);
        assert.deepEqual(got.roles, [ROLE]);
        assert.deepEqual(got.roles, held.roles);
        const byKey = (a: { key: string }, b: { key: string }) => a.key.localeCompare(b.key);
        assert.deepEqual([...got.tags].sort(byKey), [...held.tags].sort(byKey));
        assert.equal(got.tags.length, 2);
        assert.equal(got.arn, held.arn);
      });

      test("delete with the role in is DeleteConflict; the role removed, it is deleted and then NotFound", async () => {
        assert.equal((await rejection(ports.iam.deleteInstanceProfile(PROFILE))).code, "DeleteConflict");
        await ports.iam.removeRoleFromInstanceProfile(PROFILE, ROLE);
        await ports.iam.deleteInstanceProfile(PROFILE);
        assert.ok((await rejection(ports.iam.getInstanceProfile(PROFILE))) instanceof NotFound);
        assert.ok((await rejection(ports.iam.deleteInstanceProfile(PROFILE))) instanceof NotFound);
      });
    });
  });
}
