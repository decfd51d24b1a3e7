// The SSM adapter over HTTP against the simulated Parameter Store: parameters by name, the parameters under a path
// (listed by the SDK's own GetParametersByPath paginator, the independent side) asked for by name in tens, names
// SSM does not know left out, and ParameterNotFound as the port's NotFound. The adapter is the SDK client the
// provider resolves AMI aliases through (aws pkg/providers/ssm).
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { DescribeImagesCommand } from "@aws-sdk/client-ec2";
import { paginateGetParametersByPath } from "@aws-sdk/client-ssm";
import { AwsApiError, NotFound } from "../../../api/index.ts";
import { SdkSsm } from "../../../adapters/aws/index.ts";
import { type AwsWorld, CREDENTIALS, startAwsWorld } from "../../sim/aws/aws-world.ts";

const AL2023 = "/aws/service/eks/optimized-ami/1.34/amazon-linux-2023";

let world: AwsWorld;
let ssm: SdkSsm;
before(async () => {
  world = await startAwsWorld({ parameters: [{ name: "/team/ami", value: "ami-0123456789abcdef0" }] });
  ssm = new SdkSsm({ endpoint: world.server.endpoint, region: "us-west-2", credentials: CREDENTIALS });
});
after(async () => {
  ssm.destroy();
  await world.close();
});

/** Every parameter under `path`, as the SDK's paginator over GetParametersByPath lists them. */
async function parametersUnder(path: string): Promise<Map<string, string>> {
  const found = new Map<string, string>();
  for await (const page of paginateGetParametersByPath({ client: world.ssm }, { Path: path, Recursive: true })) {
    for (const p of page.Parameters ?? []) found.set(p.Name ?? "", p.Value ?? "");
  }
  return found;
}

test("a parameter by its full path names the image DescribeImages shows for al2023 x86_64 standard", async () => {
  const id = await ssm.getParameter(`${AL2023}/x86_64/standard/recommended/image_id`);
  const images = await world.ec2.send(new DescribeImagesCommand({ ImageIds: [id] }));
  assert.equal(images.Images?.[0]?.Name, "amazon-eks-node-al2023-x86_64-standard-1.34-v20251120");
  assert.equal(await ssm.getParameter("/team/ami"), "ami-0123456789abcdef0", "an account's own parameter");
});

test("every parameter under a path, asked for by name: more than ten names are asked in tens, all answered", async () => {
  const path = "/aws/service/eks/optimized-ami";
  const listed = await parametersUnder(path);
  assert.ok(listed.size > 10, `${listed.size} parameters under ${path}: enough to need two GetParameters calls`);
  const answered = await ssm.getParameters([...listed.keys()]);
  assert.deepEqual(answered, listed);
});

test("names SSM does not know are left out of getParameters; getParameter rejects with NotFound", async () => {
  const known = `${AL2023}/arm64/standard/recommended/image_id`;
  const unknown = `${AL2023}/riscv64/standard/recommended/image_id`;
  const answered = await ssm.getParameters([unknown, known]);
  assert.deepEqual([...answered.keys()], [known]);
  const missing = await ssm.getParameter(unknown).catch((error: unknown) => error);
  assert.ok(missing instanceof NotFound, `NotFound, got ${String(missing)}`);
  assert.equal(missing.code, "ParameterNotFound");
});

test("a malformed request is SSM's own error, typed but not NotFound", async () => {
  const refused = await ssm.getParameter("").catch((error: unknown) => error);
  assert.ok(refused instanceof AwsApiError, `AwsApiError, got ${String(refused)}`);
  assert.ok(!(refused instanceof NotFound));
  assert.equal(refused.code, "ValidationException");
});
