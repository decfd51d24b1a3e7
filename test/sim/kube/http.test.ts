// The REST protocol below kubectl: Status bodies for 401 and 413, the OpenAPI v3 index and a document's PATCH
// operation (what makes kubectl validate server-side), Table JSON, JSON patch with dryRun, and a watch from a
// resource version older than the window answered in the stream with a 410 Expired ERROR event.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { startKubeApiServer, type KubeApiServer } from "../../../sim/index.ts";
import { httpsCall } from "../../support/tls.ts";

let server: KubeApiServer;

before(async () => {
  server = await startKubeApiServer({ limits: { eventWindow: 2, maxBodyBytes: 4096 } });
});

after(async () => {
  await server.close();
});

function call(
  path: string,
  options: { method?: string; body?: string; headers?: Record<string, string>; token?: string | null } = {},
) {
  const headers: Record<string, string> = { ...options.headers };
  if (options.token !== null) headers.authorization = `Bearer ${options.token ?? server.token}`;
  return httpsCall({
    port: server.port,
    ca: server.ca,
    path,
    headers,
    ...(options.method ? { method: options.method } : {}),
    ...(options.body !== undefined ? { body: options.body } : {}),
  });
}

describe("the REST protocol", () => {
  test("no token, or another token: 401 with an Unauthorized Status", async () => {
    for (const token of [null, "wrong"]) {
      const reply = await call("/api/v1/nodes", { token });
      assert.equal(reply.status, 401);
      assert.deepEqual(JSON.parse(reply.body), {
        kind: "Status",
        apiVersion: "v1",
        metadata: {},
        status: "Failure",
        message: "Unauthorized",
        reason: "Unauthorized",
        code: 401,
      });
    }
  });

  test("a body over the limit: 413", async () => {
    const reply = await call("/api/v1/namespaces/default/configmaps", {
      method: "POST",
      body: JSON.stringify({ metadata: { name: "big" }, data: { a: "x".repeat(5000) } }),
      headers: { "content-type": "application/json" },
    });
    assert.equal(reply.status, 413);
    assert.equal((JSON.parse(reply.body) as { reason: string }).reason, "RequestEntityTooLarge");
  });

  test("OpenAPI v3: one document per group-version; PATCH operations take fieldValidation", async () => {
    const index = JSON.parse((await call("/openapi/v3")).body) as {
      paths: Record<string, { serverRelativeURL: string }>;
    };
    assert.ok(index.paths["api/v1"] && index.paths["apis/karpenter.sh/v1"] && index.paths["apis/apps/v1"]);
    const doc = JSON.parse((await call(index.paths["apis/karpenter.sh/v1"]?.serverRelativeURL ?? "")).body) as {
      paths: Record<string, { patch?: { parameters: { name: string }[]; "x-kubernetes-group-version-kind": unknown } }>;
      components: { schemas: Record<string, { "x-kubernetes-group-version-kind": unknown[] }> };
    };
    const patch = doc.paths["/apis/karpenter.sh/v1/nodepools/{name}"]?.patch;
    assert.ok(patch?.parameters.some((p) => p.name === "fieldValidation"));
    assert.deepEqual(patch?.["x-kubernetes-group-version-kind"], {
      group: "karpenter.sh",
      version: "v1",
      kind: "NodePool",
    });
    assert.deepEqual(doc.components.schemas["sh.karpenter.v1.NodePool"]?.["x-kubernetes-group-version-kind"], [
      { group: "karpenter.sh", version: "v1", kind: "NodePool" },
    ]);
  });

  test("Table responses carry the column definitions and one row per object", async () => {
    const reply = await call("/api/v1/namespaces", {
      headers: { accept: "application/json;as=Table;v=v1;g=meta.k8s.io" },
    });
    const table = JSON.parse(reply.body) as {
      kind: string;
      columnDefinitions: { name: string }[];
      rows: { cells: unknown[]; object: { kind: string } }[];
    };
    assert.equal(table.kind, "Table");
    assert.deepEqual(
      table.columnDefinitions.map((c) => c.name),
      ["Name", "Status", "Age"],
    );
    assert.deepEqual(
      table.rows.map((r) => r.cells.slice(0, 2)),
      [
        ["default", "Active"],
        ["kube-node-lease", "Active"],
        ["kube-public", "Active"],
        ["kube-system", "Active"],
      ],
    );
    assert.equal(table.rows[0]?.object.kind, "PartialObjectMetadata");
  });

  test("JSON patch, with dryRun=All changing nothing", async () => {
    const created = await call("/api/v1/namespaces/default/configmaps", {
      method: "POST",
      body: JSON.stringify({ metadata: { name: "p" }, data: { a: "1" } }),
      headers: { "content-type": "application/json" },
    });
    assert.equal(created.status, 201);
    const ops = JSON.stringify([{ op: "replace", path: "/data/a", value: "2" }]);
    const dry = await call("/api/v1/namespaces/default/configmaps/p?dryRun=All", {
      method: "PATCH",
      body: ops,
      headers: { "content-type": "application/json-patch+json" },
    });
    assert.equal((JSON.parse(dry.body) as { data: { a: string } }).data.a, "2");
    assert.equal(
      (JSON.parse((await call("/api/v1/namespaces/default/configmaps/p")).body) as { data: { a: string } }).data.a,
      "1",
    );
    const real = await call("/api/v1/namespaces/default/configmaps/p", {
      method: "PATCH",
      body: ops,
      headers: { "content-type": "application/json-patch+json" },
    });
    assert.equal(real.status, 200);
    assert.equal(
      (JSON.parse((await call("/api/v1/namespaces/default/configmaps/p")).body) as { data: { a: string } }).data.a,
      "2",
    );
    const failed = await call("/api/v1/namespaces/default/configmaps/p", {
      method: "PATCH",
      body: JSON.stringify([{ op: "test", path: "/data/a", value: "9" }]),
      headers: { "content-type": "application/json-patch+json" },
    });
    assert.equal(failed.status, 422);
  });

  test("a watch from a resourceVersion older than the window: an ERROR event with 410 Expired, then the end", async () => {
    for (const name of ["w1", "w2", "w3"]) {
      await call("/api/v1/namespaces/default/configmaps", {
        method: "POST",
        body: JSON.stringify({ metadata: { name } }),
        headers: { "content-type": "application/json" },
      });
    }
    const reply = await call("/api/v1/namespaces/default/configmaps?watch=1&resourceVersion=1");
    assert.equal(reply.status, 200);
    const events = reply.body
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line) as { type: string; object: { code: number; reason: string; message: string } });
    assert.equal(events.length, 1);
    assert.equal(events[0]?.type, "ERROR");
    assert.equal(events[0]?.object.code, 410);
    assert.equal(events[0]?.object.reason, "Expired");
    assert.match(events[0]?.object.message ?? "", /^too old resource version: 1 \(\d+\)$/);
  });
});
