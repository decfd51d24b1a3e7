// The whole path over the real protocols: a launch template with Karpenter's AL2023 user data and the cluster's
// instance profile, CreateFleet through @aws-sdk/client-ec2, and 60 simulated seconds later the Node is in the
// API server — as the real kubectl shows it — with Karpenter's labels and its unregistered taint. A launch without
// an instance profile, or with user data for another cluster, runs (DescribeInstances says so) and no Node appears.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import {
  CreateFleetCommand,
  CreateLaunchTemplateCommand,
  DescribeInstancesCommand,
  EC2Client,
} from "@aws-sdk/client-ec2";
import { silentLogger } from "../../../../runtime/log.ts";
import { startAwsServer, type AwsServer } from "../../../../sim/aws/index.ts";
import { Cloud, defaultScenario } from "../../../../sim/world/cloud/index.ts";
import { NodeRegistration } from "../../../../sim/world/node-registration/index.ts";
import { FakeClock } from "../../../support/fake-clock.ts";
import { startSimKube, type SimKube } from "../../../support/sim-kube.ts";
import { CLUSTER, instanceTypes, karpenterUserData, PROFILE, START } from "./boot-world.ts";

let clock: FakeClock;
let kube: SimKube;
let aws: AwsServer;
let ec2: EC2Client;
let registration: NodeRegistration;

before(async () => {
  clock = new FakeClock(START);
  kube = await startSimKube({ clock });
  const cloud = new Cloud({
    scenario: defaultScenario({ clusterName: CLUSTER }),
    instanceTypes: instanceTypes(),
    clock,
  });
  aws = await startAwsServer({ cloud, clock, logger: silentLogger() });
  ec2 = new EC2Client({
    endpoint: aws.endpoint,
    region: "us-west-2",
    credentials: { accessKeyId: "AKIDSIMULATED", secretAccessKey: "simulated" },
    maxAttempts: 1,
  });
  registration = new NodeRegistration(cloud, kube.server.store, { clock }).start();
});
after(async () => {
  registration.stop();
  ec2.destroy();
  await aws.close();
  await kube.stop();
});

async function launch(
  name: string,
  data: { IamInstanceProfile?: { Name: string }; UserData: string },
): Promise<string> {
  await ec2.send(
    new CreateLaunchTemplateCommand({
      LaunchTemplateName: name,
      LaunchTemplateData: { ImageId: "ami-0a00000000000a023", SecurityGroupIds: ["sg-0000000000000a001"], ...data },
    }),
  );
  const fleet = await ec2.send(
    new CreateFleetCommand({
      Type: "instant",
      TargetCapacitySpecification: { TotalTargetCapacity: 1, DefaultTargetCapacityType: "on-demand" },
      LaunchTemplateConfigs: [
        {
          LaunchTemplateSpecification: { LaunchTemplateName: name, Version: "$Latest" },
          Overrides: [{ InstanceType: "m5.large", SubnetId: "subnet-00000000000000002" }],
        },
      ],
    }),
  );
  assert.equal(fleet.Errors, undefined);
  const id = fleet.Instances?.[0]?.InstanceIds?.[0];
  assert.ok(id);
  return id;
}

async function state(id: string): Promise<string | undefined> {
  const answer = await ec2.send(new DescribeInstancesCommand({ InstanceIds: [id] }));
  return answer.Reservations?.[0]?.Instances?.[0]?.State?.Name;
}

test("a correct launch becomes a Node after 60 simulated seconds; wrong ones run and never do", async () => {
  const good = await launch("karpenter-good", {
    IamInstanceProfile: { Name: PROFILE },
    UserData: karpenterUserData("al2023_userdata_unmerged.golden"),
  });
  const noProfile = await launch("no-profile", { UserData: karpenterUserData("al2023_userdata_unmerged.golden") });
  const otherCluster = await launch("other-cluster", {
    IamInstanceProfile: { Name: PROFILE },
    UserData: karpenterUserData("al2023_userdata_unmerged.golden", (t) =>
      t.replace("name: test-cluster", "name: prod"),
    ),
  });
  const before = await kube.kubectl(["get", "nodes", "-o", "name"]);
  assert.equal(before.stdout, "");
  clock.step(60_000);

  for (const id of [good, noProfile, otherCluster]) assert.equal(await state(id), "running", id);
  const shown = await kube.kubectl([
    "get",
    "nodes",
    "-L",
    "karpenter.sh/nodepool,node.kubernetes.io/instance-type,topology.kubernetes.io/zone",
    "--no-headers",
  ]);
  assert.equal(shown.code, 0, shown.stderr);
  const rows = shown.stdout
    .trim()
    .split("\n")
    .map((line) => line.split(/\s+/));
  assert.equal(rows.length, 1, shown.stdout);
  // NAME STATUS ROLES AGE VERSION NODEPOOL INSTANCE-TYPE ZONE
  const [name, status, roles, , version, pool, type, zone] = rows[0] ?? [];
  assert.match(name ?? "", /^ip-10-0-64-\d+\.us-west-2\.compute\.internal$/);
  assert.deepEqual(
    [status, roles, version, pool, type, zone],
    ["Ready", "<none>", "v1.34.1", "default", "m5.large", "us-west-2b"],
  );
  const taints = await kube.kubectl([
    "get",
    "node",
    name ?? "",
    "-o",
    'jsonpath={.spec.taints}{"\\n"}{.spec.providerID}',
  ]);
  const [taintJson, providerId] = taints.stdout.split("\n");
  assert.deepEqual(JSON.parse(taintJson ?? ""), [{ effect: "NoExecute", key: "karpenter.sh/unregistered" }]);
  assert.equal(providerId, `aws:///us-west-2b/${good}`);

  assert.deepEqual(
    registration.events.map((e) => [e.instanceId, e.outcome]),
    [
      [good, "Registered"],
      [noProfile, "NotRegistered"],
      [otherCluster, "NotRegistered"],
    ],
  );
  assert.match(registration.events[1]?.message ?? "", /no instance profile/);
  assert.match(registration.events[2]?.message ?? "", /names cluster "prod"/);
});
