// IAM's instance profiles and roles through @aws-sdk/client-iam and Debian's awscli, in the order Karpenter's
// instance-profile provider calls them (aws pkg/providers/instanceprofile/instanceprofile.go: Get, Create with
// tags, AddRoleToInstanceProfile, RemoveRoleFromInstanceProfile and DeleteInstanceProfile on delete), with IAM's
// error codes and the words its role-not-found check reads ("role" in a NoSuchEntity message).
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import {
  AddRoleToInstanceProfileCommand,
  CreateInstanceProfileCommand,
  DeleteInstanceProfileCommand,
  GetInstanceProfileCommand,
  GetRoleCommand,
  paginateListInstanceProfiles,
  RemoveRoleFromInstanceProfileCommand,
  TagInstanceProfileCommand,
} from "@aws-sdk/client-iam";
import { DescribeInstancesCommand, RunInstancesCommand } from "@aws-sdk/client-ec2";
import { parseXml } from "../../support/parse-xml.ts";
import { type AwsWorld, awsCli, awsCliText, START, startAwsWorld } from "./aws-world.ts";

let world: AwsWorld;
before(async () => {
  world = await startAwsWorld({ roles: ["KarpenterNodeRole-sim", "OtherRole"] });
});
after(() => world.close());

const ROLE = "KarpenterNodeRole-sim";
const PROFILE = "sim_1234567890123456789";

test("the scenario's profile carries its role", async () => {
  const { InstanceProfile } = await world.iam.send(
    new GetInstanceProfileCommand({ InstanceProfileName: "KarpenterNodeInstanceProfile-sim" }),
  );
  assert.equal(InstanceProfile?.Arn, "arn:aws:iam::111122223333:instance-profile/KarpenterNodeInstanceProfile-sim");
  assert.match(InstanceProfile?.InstanceProfileId ?? "", /^AIPA[0-9A-Z]{17}$/);
  assert.deepEqual(
    InstanceProfile?.Roles?.map((r) => [r.RoleName, r.Arn]),
    [[ROLE, "arn:aws:iam::111122223333:role/KarpenterNodeRole-sim"]],
  );
  assert.deepEqual(InstanceProfile?.CreateDate, START);
});

test("Karpenter's create: not found, created with tags and a path, the role added, a second role refused", async () => {
  await assert.rejects(world.iam.send(new GetInstanceProfileCommand({ InstanceProfileName: PROFILE })), {
    name: "NoSuchEntityException",
    message: `Instance Profile ${PROFILE} cannot be found.`,
  });
  const created = await world.iam.send(
    new CreateInstanceProfileCommand({
      InstanceProfileName: PROFILE,
      Path: "/karpenter/us-west-2/sim/abc/",
      Tags: [
        { Key: "karpenter.k8s.aws/cluster", Value: "sim" },
        { Key: "kubernetes.io/cluster/sim", Value: "owned" },
      ],
    }),
  );
  assert.equal(
    created.InstanceProfile?.Arn,
    `arn:aws:iam::111122223333:instance-profile/karpenter/us-west-2/sim/abc/${PROFILE}`,
  );
  assert.deepEqual(created.InstanceProfile?.Roles, []);
  await assert.rejects(world.iam.send(new CreateInstanceProfileCommand({ InstanceProfileName: PROFILE })), {
    name: "EntityAlreadyExistsException",
  });
  await world.iam.send(new AddRoleToInstanceProfileCommand({ InstanceProfileName: PROFILE, RoleName: ROLE }));
  await assert.rejects(
    world.iam.send(new AddRoleToInstanceProfileCommand({ InstanceProfileName: PROFILE, RoleName: "OtherRole" })),
    { name: "LimitExceededException", message: "Cannot exceed quota for InstanceSessionsPerInstanceProfile: 1" },
  );
  await world.iam.send(
    new TagInstanceProfileCommand({
      InstanceProfileName: PROFILE,
      Tags: [{ Key: "karpenter.sh/managed-by", Value: "sim" }],
    }),
  );
  const { InstanceProfile } = await world.iam.send(new GetInstanceProfileCommand({ InstanceProfileName: PROFILE }));
  assert.deepEqual(
    InstanceProfile?.Roles?.map((r) => r.RoleName),
    [ROLE],
  );
  assert.deepEqual(
    InstanceProfile?.Tags?.map((t) => t.Key),
    ["karpenter.k8s.aws/cluster", "kubernetes.io/cluster/sim", "karpenter.sh/managed-by"],
  );
});

test("a role that does not exist: NoSuchEntity naming the role, as Karpenter's IsRoleNotFoundError reads it", async () => {
  await assert.rejects(
    world.iam.send(new AddRoleToInstanceProfileCommand({ InstanceProfileName: PROFILE, RoleName: "Missing" })),
    (error: Error) => {
      assert.equal(error.name, "NoSuchEntityException");
      assert.match(error.message, /role/);
      assert.equal((error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode, 404);
      return true;
    },
  );
  const { Role } = await world.iam.send(new GetRoleCommand({ RoleName: ROLE }));
  assert.match(decodeURIComponent(Role?.AssumeRolePolicyDocument ?? ""), /ec2\.amazonaws\.com/);
});

test("ListInstanceProfiles by path prefix, paged by the paginator", async () => {
  const names: string[] = [];
  for await (const page of paginateListInstanceProfiles({ client: world.iam, pageSize: 1 }, { PathPrefix: "/" })) {
    names.push(...(page.InstanceProfiles ?? []).map((p) => p.InstanceProfileName ?? ""));
  }
  assert.deepEqual(names, ["KarpenterNodeInstanceProfile-sim", PROFILE]);
  const karpenter = await awsCli(world.server.endpoint, [
    "iam",
    "list-instance-profiles",
    "--path-prefix",
    "/karpenter/",
  ]);
  assert.deepEqual(
    (karpenter as { InstanceProfiles: { InstanceProfileName: string }[] }).InstanceProfiles.map(
      (p) => p.InstanceProfileName,
    ),
    [PROFILE],
  );
});

test("awscli: get-instance-profile shows the role; delete with a role attached is DeleteConflict", async () => {
  const shown = await awsCliText(world.server.endpoint, [
    "iam",
    "get-instance-profile",
    "--instance-profile-name",
    PROFILE,
    "--query",
    "InstanceProfile.Roles[0].RoleName",
    "--output",
    "text",
  ]);
  assert.equal(shown.trim(), ROLE);
  await assert.rejects(
    awsCliText(world.server.endpoint, ["iam", "delete-instance-profile", "--instance-profile-name", PROFILE]),
    /DeleteConflict/,
  );
});

test("Karpenter's delete: remove the role, then the profile; it is gone", async () => {
  await world.iam.send(new RemoveRoleFromInstanceProfileCommand({ InstanceProfileName: PROFILE, RoleName: ROLE }));
  await world.iam.send(new DeleteInstanceProfileCommand({ InstanceProfileName: PROFILE }));
  await assert.rejects(
    awsCliText(world.server.endpoint, ["iam", "get-instance-profile", "--instance-profile-name", PROFILE]),
    /NoSuchEntity.*cannot be found/,
  );
});

test("a bad name is IAM's ValidationError", async () => {
  await assert.rejects(world.iam.send(new CreateInstanceProfileCommand({ InstanceProfileName: "has space" })), {
    name: "ValidationError",
  });
});

test("an unsigned IAM request is still IAM's (by its API version): ErrorResponse XML with Type, Code and RequestId", async () => {
  const response = await fetch(world.server.endpoint, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded; charset=utf-8" },
    body: "Action=GetInstanceProfile&Version=2010-05-08&InstanceProfileName=nope",
  });
  assert.equal(response.status, 404);
  const root = parseXml(await response.text());
  assert.equal(root.name, "ErrorResponse");
  assert.equal(root.attributes.xmlns, "https://iam.amazonaws.com/doc/2010-05-08/");
  const error = root.children.find((c) => c.name === "Error");
  assert.deepEqual(
    error?.children.map((c) => [c.name, c.text]),
    [
      ["Type", "Sender"],
      ["Code", "NoSuchEntity"],
      ["Message", "Instance Profile nope cannot be found."],
    ],
  );
  assert.ok(root.children.find((c) => c.name === "RequestId")?.text);
});

test("an instance launched with a profile that has a path shows the profile's ARN, path included", async () => {
  await world.iam.send(new CreateInstanceProfileCommand({ InstanceProfileName: "pathed", Path: "/karpenter/sim/" }));
  const run = await world.ec2.send(
    new RunInstancesCommand({
      ImageId: "ami-0a00000000000a023",
      InstanceType: "m5.large",
      MinCount: 1,
      MaxCount: 1,
      IamInstanceProfile: { Name: "pathed" },
    }),
  );
  const id = run.Instances?.[0]?.InstanceId ?? "";
  world.clock.step(world.server.cloud.scenario.describeLagMs); // Describe sees a new instance after the lag
  const described = await world.ec2.send(new DescribeInstancesCommand({ InstanceIds: [id] }));
  assert.equal(
    described.Reservations?.[0]?.Instances?.[0]?.IamInstanceProfile?.Arn,
    "arn:aws:iam::111122223333:instance-profile/karpenter/sim/pathed",
  );
});
