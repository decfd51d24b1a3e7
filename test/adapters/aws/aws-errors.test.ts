// EC2, IAM, SSM and SQS error codes (as the services document them) mapped to the port's typed errors, and the
// endpoint taken from AWS_ENDPOINT_URL_EC2 as the SDK reads it, against the simulated EC2.
import assert from "node:assert/strict";
import { test } from "node:test";
import {
  AwsApiError,
  IdempotentParameterMismatch,
  InsufficientCapacity,
  NotFound,
  portErrorOf,
  Throttled,
  Unauthorized,
} from "../../../api/index.ts";
import { SdkEc2 } from "../../../adapters/aws/index.ts";
import { CREDENTIALS, startAwsWorld } from "../../sim/aws/aws-world.ts";

test("service error codes become the port's typed errors", () => {
  const cases: [string, abstract new (...args: never[]) => Error][] = [
    ["InsufficientInstanceCapacity", InsufficientCapacity],
    ["MaxSpotInstanceCountExceeded", InsufficientCapacity],
    ["InsufficientFreeAddressesInSubnet", InsufficientCapacity],
    ["RequestLimitExceeded", Throttled],
    ["ThrottlingException", Throttled],
    ["UnauthorizedOperation", Unauthorized],
    ["AccessDenied", Unauthorized],
    ["IdempotentParameterMismatch", IdempotentParameterMismatch],
    ["InvalidInstanceID.NotFound", NotFound],
    ["InvalidLaunchTemplateName.NotFoundException", NotFound],
    ["NoSuchEntity", NotFound],
    ["ParameterNotFound", NotFound],
    ["QueueDoesNotExist", NotFound],
  ];
  for (const [code, type] of cases) {
    const error = portErrorOf(code, "message");
    assert.ok(error instanceof type, `${code} is ${type.name}`);
    assert.equal(error.code, code);
  }
  const other = portErrorOf("InvalidParameterValue", "bad");
  assert.equal(other.constructor, AwsApiError);
  const ice = portErrorOf("InsufficientInstanceCapacity", "none left", {
    instanceType: "m5.large",
    zone: "us-west-2a",
    capacityType: "spot",
  });
  assert.ok(ice instanceof InsufficientCapacity);
  assert.deepEqual(ice.offering, { instanceType: "m5.large", zone: "us-west-2a", capacityType: "spot" });
});

test("with no endpoint given, the SDK's AWS_ENDPOINT_URL_EC2 reaches the simulated EC2", async () => {
  const world = await startAwsWorld();
  process.env.AWS_ENDPOINT_URL_EC2 = world.server.endpoint;
  const ec2 = new SdkEc2({ region: "us-west-2", credentials: CREDENTIALS });
  try {
    const subnets = await ec2.describeSubnets({});
    assert.equal(subnets.length, 3);
  } finally {
    delete process.env.AWS_ENDPOINT_URL_EC2;
    ec2.destroy();
    await world.close();
  }
});
