// The bytes on the wire, read without an SDK: EC2's response and error documents (root element, namespace,
// requestId, item lists) and the routing of requests that are neither EC2 nor SQS. The shapes are those of EC2's
// API reference examples.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { parseXml, type XmlElement } from "../../support/parse-xml.ts";
import { type AwsWorld, startAwsWorld } from "./aws-world.ts";

let world: AwsWorld;
before(async () => {
  world = await startAwsWorld();
});
after(() => world.close());

const post = (body: string, headers: Record<string, string> = {}) =>
  fetch(world.server.endpoint, {
    method: "POST",
    headers: {
      "content-type": "application/x-www-form-urlencoded; charset=utf-8",
      authorization:
        "AWS4-HMAC-SHA256 Credential=AKIDSIMULATED/20260105/us-west-2/ec2/aws4_request, SignedHeaders=host, Signature=00",
      ...headers,
    },
    body,
  });

const child = (element: XmlElement | undefined, name: string) => element?.children.find((c) => c.name === name);

test("a response is <ActionResponse> in EC2's namespace with requestId and <item> lists", async () => {
  const response = await post("Action=DescribeAvailabilityZones&Version=2016-11-15&ZoneName.1=us-west-2b");
  assert.equal(response.status, 200);
  const root = parseXml(await response.text());
  assert.equal(root.name, "DescribeAvailabilityZonesResponse");
  assert.equal(root.attributes.xmlns, "http://ec2.amazonaws.com/doc/2016-11-15/");
  assert.match(child(root, "requestId")?.text ?? "", /^[0-9a-f-]{36}$/);
  const items = child(root, "availabilityZoneInfo")?.children ?? [];
  assert.deepEqual(
    items.map((i) => [i.name, child(i, "zoneName")?.text, child(i, "zoneState")?.text]),
    [["item", "us-west-2b", "available"]],
  );
});

test("an error is <Response><Errors><Error> with EC2's code and message, HTTP 400", async () => {
  const response = await post("Action=RebootEverything&Version=2016-11-15");
  assert.equal(response.status, 400);
  const root = parseXml(await response.text());
  assert.equal(root.name, "Response");
  const error = child(child(root, "Errors"), "Error");
  assert.equal(child(error, "Code")?.text, "InvalidAction");
  assert.equal(child(error, "Message")?.text, "The action RebootEverything is not valid for this web service.");
  assert.ok(child(root, "RequestID")?.text);
});

test("a malformed parameter list is EC2's InvalidParameter, not a crash", async () => {
  const response = await post("Action=DescribeInstances&Filter.1.Name=a&Filter.Name=b");
  assert.equal(response.status, 400);
  const root = parseXml(await response.text());
  assert.equal(child(child(child(root, "Errors"), "Error"), "Code")?.text, "InvalidParameter");
});

test("an SQS request with a body that is not JSON gets SQS's JSON error", async () => {
  const response = await post("{not json", {
    "x-amz-target": "AmazonSQS.ListQueues",
    "content-type": "application/x-amz-json-1.0",
  });
  assert.equal(response.status, 400);
  assert.deepEqual(await response.json(), {
    __type: "com.amazonaws.sqs#SerializationException",
    message: "The request body is not valid JSON.",
  });
});
