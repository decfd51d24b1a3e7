// The simulated API server reads YAML bodies (kubectl sends JSON, but `curl --data-binary @x.yaml` and client
// libraries may send YAML): a body of deeply nested flow or block collections is refused as a 400 before the yaml
// parser recurses into it, as the manifest loader refuses such files; a shallow YAML body still works.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { startKubeApiServer, type KubeApiServer } from "../../sim/index.ts";
import { httpsCall } from "../support/tls.ts";

let server: KubeApiServer;
before(async () => {
  server = await startKubeApiServer();
});
after(() => server.close());

function post(body: string) {
  return httpsCall({
    port: server.port,
    ca: server.ca,
    path: "/api/v1/namespaces/default/configmaps",
    method: "POST",
    body,
    headers: { authorization: `Bearer ${server.token}`, "content-type": "application/yaml" },
  });
}

for (const [shape, text] of [
  ["flow sequences", `metadata: {name: deep}\ndata: ${"[".repeat(200_000)}`],
  ["block sequences", `metadata: {name: deep}\ndata:\n  ${"- ".repeat(200_000)}x\n`],
] as const) {
  test(`a YAML body of ${shape} nested 200,000 deep is a 400 BadRequest naming the limit`, async () => {
    const reply = await post(text);
    assert.equal(reply.status, 400);
    const status = JSON.parse(reply.body) as { reason: string; message: string };
    assert.equal(status.reason, "BadRequest");
    assert.match(status.message, /nests deeper than 100 levels/);
  });
}

test("a shallow YAML body is created", async () => {
  const reply = await post("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: shallow}\ndata: {a: b}\n");
  assert.equal(reply.status, 201);
});
