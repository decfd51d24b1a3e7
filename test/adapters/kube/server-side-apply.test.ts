// Server-side apply as the adapter sends it, read off the wire by a recording server: a PATCH of the object's path
// (or its status) with Content-Type application/apply-patch+yaml, the field manager and force as query parameters
// (metav1.PatchOptions' fieldManager and force), and a body naming apiVersion and kind, which the API server
// requires of an apply patch. The recorder speaks plain HTTP, which client-node allows only with
// insecure-skip-tls-verify. What apply does (ownership, conflicts, force, removal, status) is the contract suite's
// (test/support/cluster-contract.ts), against the simulated cluster; this file keeps only the request's shape,
// which the contract does not look at: the path, the query (no force when not forced), the content type, the
// body's apiVersion and kind.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type IncomingMessage } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { stringify } from "yaml";
import { KubeCluster, loadKubeConfig } from "../../../adapters/kube/index.ts";
import { FakeClock } from "../../support/fake-clock.ts";

interface Recorded {
  method: string;
  path: string;
  query: Record<string, string>;
  contentType: string | undefined;
  authorization: string | undefined;
  body: unknown;
}

test("apply is a PATCH of type apply-patch+yaml with fieldManager and force, on the object or its status", async () => {
  const recorded: Recorded[] = [];
  const server = createServer((req: IncomingMessage, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      const url = new URL(req.url ?? "/", "http://recorder");
      const body = JSON.parse(Buffer.concat(chunks).toString("utf8")) as Record<string, unknown>;
      recorded.push({
        method: req.method ?? "",
        path: url.pathname,
        query: Object.fromEntries(url.searchParams),
        contentType: req.headers["content-type"],
        authorization: req.headers.authorization,
        body,
      });
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify({ ...body, metadata: { ...(body.metadata as object), resourceVersion: "7" } }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  const dir = mkdtempSync(join(tmpdir(), "poolkeeper-apply-"));
  try {
    const kubeconfig = join(dir, "kubeconfig");
    writeFileSync(
      kubeconfig,
      stringify({
        apiVersion: "v1",
        kind: "Config",
        clusters: [
          { name: "recorder", cluster: { server: `http://127.0.0.1:${port}`, "insecure-skip-tls-verify": true } },
        ],
        users: [{ name: "recorder", user: { token: "t0ken" } }],
        contexts: [{ name: "recorder", context: { cluster: "recorder", user: "recorder" } }],
        "current-context": "recorder",
      }),
    );
    const cluster = new KubeCluster({
      kubeConfig: loadKubeConfig({ kubeconfig }),
      clock: new FakeClock(new Date("2026-03-01T12:00:00Z")),
    });
    const applied = await cluster.apply(
      "nodeclaims",
      { metadata: { name: "default-x7k2p", labels: { "karpenter.sh/nodepool": "default" } } },
      { fieldManager: "poolkeeper", force: true },
    );
    assert.equal(applied.metadata.resourceVersion, "7");
    await cluster.apply(
      "nodeclaims",
      { metadata: { name: "default-x7k2p" }, status: { providerID: "aws:///us-west-2a/i-0123456789abcdef0" } },
      { fieldManager: "poolkeeper", subresource: "status" },
    );
    assert.deepEqual(recorded, [
      {
        method: "PATCH",
        path: "/apis/karpenter.sh/v1/nodeclaims/default-x7k2p",
        query: { fieldManager: "poolkeeper", force: "true" },
        contentType: "application/apply-patch+yaml",
        authorization: "Bearer t0ken",
        body: {
          apiVersion: "karpenter.sh/v1",
          kind: "NodeClaim",
          metadata: { name: "default-x7k2p", labels: { "karpenter.sh/nodepool": "default" } },
        },
      },
      {
        method: "PATCH",
        path: "/apis/karpenter.sh/v1/nodeclaims/default-x7k2p/status",
        query: { fieldManager: "poolkeeper" },
        contentType: "application/apply-patch+yaml",
        authorization: "Bearer t0ken",
        body: {
          apiVersion: "karpenter.sh/v1",
          kind: "NodeClaim",
          metadata: { name: "default-x7k2p" },
          status: { providerID: "aws:///us-west-2a/i-0123456789abcdef0" },
        },
      },
    ]);
  } finally {
    await new Promise<void>((resolve) => server.close(() => resolve()));
    rmSync(dir, { recursive: true, force: true });
  }
});
