// The IAM adapter over HTTP against the simulated IAM: an instance profile's life as Karpenter's instance-profile
// provider leads it (aws pkg/providers/instanceprofile: get, create when NoSuchEntity, add the role, tag, remove
// the role, delete), IAM's errors as the port's: NoSuchEntity is NotFound; EntityAlreadyExists, LimitExceeded and
// DeleteConflict are typed AwsApiErrors with IAM's code — not NotFound, which would make the provider create again.
// The independent side is the raw @aws-sdk/client-iam client and IAM's documented ARN form
// (arn:aws:iam::ACCOUNT:instance-profile/PATH/NAME).
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { GetInstanceProfileCommand } from "@aws-sdk/client-iam";
import { AwsApiError, NotFound } from "../../../api/index.ts";
import { SdkIam } from "../../../adapters/aws/index.ts";
import { type AwsWorld, CREDENTIALS, startAwsWorld } from "../../sim/aws/aws-world.ts";

const ROLE = "KarpenterNodeRole-sim";
const OTHER_ROLE = "KarpenterNodeRole-other";
const PROFILE = "sim_1234567890abcdef";
const PATH = "/karpenter/us-west-2/sim/nc-uid/";

let world: AwsWorld;
let iam: SdkIam;
before(async () => {
  world = await startAwsWorld({ roles: [ROLE, OTHER_ROLE] });
  // One attempt: the SDK classifies IAM's LimitExceeded (LimitExceededException) as throttling and would retry it
  // with backoff, which only makes the test slower.
  iam = new SdkIam({ endpoint: world.server.endpoint, region: "us-west-2", credentials: CREDENTIALS, maxAttempts: 1 });
});
after(async () => {
  iam.destroy();
  await world.close();
});

/** The error a call rejected with, asserted to be an AwsApiError. */
async function rejection(call: Promise<unknown>): Promise<AwsApiError> {
  const error = await call.then(
    () => undefined,
    (e: unknown) => e,
  );
  assert.ok(error instanceof AwsApiError, `an AwsApiError, got ${String(error)}`);
  return error;
}

describe("an instance profile from creation to deletion", () => {
  test("get before create is NotFound (NoSuchEntity)", async () => {
    const missing = await rejection(iam.getInstanceProfile(PROFILE));
    assert.ok(missing instanceof NotFound);
    assert.equal(missing.code, "NoSuchEntity");
  });

  test("create returns the profile with its path, ARN and tags, no role yet", async () => {
    const created = await iam.createInstanceProfile({
      name: PROFILE,
      path: PATH,
      tags: [{ key: "kubernetes.io/cluster/sim", value: "owned" }],
    });
    assert.deepEqual(created, {
      name: PROFILE,
      arn: `arn:aws:iam::${world.server.cloud.scenario.accountId}:instance-profile${PATH}${PROFILE}`,
      path: PATH,
      roles: [],
      tags: [{ key: "kubernetes.io/cluster/sim", value: "owned" }],
    });
  });

  test("creating it again (with no tags: no empty Tags list is sent) is EntityAlreadyExists, not NotFound", async () => {
    const again = await rejection(iam.createInstanceProfile({ name: PROFILE, path: PATH, tags: [] }));
    assert.ok(!(again instanceof NotFound));
    assert.equal(again.code, "EntityAlreadyExists");
  });

  test("the role is added; a second is LimitExceeded (one role per profile); an unknown role is NotFound", async () => {
    await iam.addRoleToInstanceProfile(PROFILE, ROLE);
    const second = await rejection(iam.addRoleToInstanceProfile(PROFILE, OTHER_ROLE));
    assert.ok(!(second instanceof NotFound));
    assert.equal(second.code, "LimitExceeded");
    const unknown = await rejection(iam.removeRoleFromInstanceProfile(PROFILE, "NoSuchRole"));
    assert.ok(unknown instanceof NotFound);
  });

  test("tags are added to the ones it has; get shows the role and every tag, as the SDK reads them", async () => {
    await iam.tagInstanceProfile(PROFILE, [{ key: "karpenter.k8s.aws/ec2nodeclass", value: "default" }]);
    const got = await iam.getInstanceProfile(PROFILE);
    const raw = (await world.iam.send(new GetInstanceProfileCommand({ InstanceProfileName: PROFILE }))).InstanceProfile;
    assert.deepEqual(got.roles, [ROLE]);
    assert.deepEqual(
      got.roles,
      raw?.Roles?.map((r) => r.RoleName),
    );
    assert.deepEqual(
      [...got.tags].sort((a, b) => a.key.localeCompare(b.key)),
      [
        { key: "karpenter.k8s.aws/ec2nodeclass", value: "default" },
        { key: "kubernetes.io/cluster/sim", value: "owned" },
      ],
    );
    assert.equal(got.arn, raw?.Arn);
    assert.equal(got.path, raw?.Path);
  });

  test("delete with the role still in is DeleteConflict; the role removed, it is deleted and then NotFound", async () => {
    const conflict = await rejection(iam.deleteInstanceProfile(PROFILE));
    assert.equal(conflict.code, "DeleteConflict");
    await iam.removeRoleFromInstanceProfile(PROFILE, ROLE);
    await iam.deleteInstanceProfile(PROFILE);
    assert.ok((await rejection(iam.getInstanceProfile(PROFILE))) instanceof NotFound);
    assert.ok((await rejection(iam.deleteInstanceProfile(PROFILE))) instanceof NotFound);
  });
});
