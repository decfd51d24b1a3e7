// DELETE: an EC2NodeClass that NodePools still reference is kept when the cluster can be seen, allowed with a
// warning when it cannot; everything else is deleted without a word. The cluster view comes from MemoryCluster,
// as the server's tests will use it.
import { test } from "node:test";
import assert from "node:assert/strict";
import { MemoryCluster } from "../../api/memory-cluster.ts";
import type { ClusterView } from "../../api/ports.ts";
import { mutateAdmission, validateAdmission, type AdmissionContext } from "../../webhook/admission/index.ts";
import {
  admissionContext,
  asStored,
  deleteReview,
  requestOf,
  responseProblems,
  upstream,
  upstreamObjects,
} from "../support/admission-fixtures.ts";

type Json = Record<string, unknown>;

const nodeClass = upstream("general-purpose.yaml", "EC2NodeClass");
const pool = upstream("general-purpose.yaml", "NodePool");

function poolNamed(name: string, className = "default", extra: Json = {}): Json {
  const spec = pool.spec as Json;
  const template = spec.template as Json;
  return asStored({
    ...pool,
    metadata: { name, ...extra },
    spec: {
      ...spec,
      template: {
        ...template,
        spec: {
          ...(template.spec as Json),
          nodeClassRef: { group: "karpenter.k8s.aws", kind: "EC2NodeClass", name: className },
        },
      },
    },
  });
}

/** What the server does before judging: fetch both lists from the view. */
async function contextFor(view: ClusterView): Promise<AdmissionContext> {
  const [nodePools, nodeClasses] = await Promise.all([view.listNodePools(), view.listNodeClasses()]);
  return admissionContext({ cluster: { nodePools, nodeClasses } });
}

test("DELETE of an EC2NodeClass that NodePools reference is denied when the cluster can be seen", async () => {
  const cluster = new MemoryCluster([
    asStored(nodeClass),
    poolNamed("general-purpose"),
    poolNamed("spot"),
    poolNamed("elsewhere", "other"),
  ]);
  const request = requestOf(deleteReview(nodeClass));
  assert.equal(request.object, null);
  const decision = validateAdmission(request, await contextFor(cluster));
  assert.deepEqual(responseProblems(decision.response, request), []);
  assert.equal(decision.response.allowed, false);
  assert.equal(decision.response.status?.code, 403);
  assert.equal(decision.response.status?.reason, "Forbidden");
  assert.equal(
    decision.response.status?.message,
    'EC2NodeClass "default" cannot be deleted:\n- NodePools "general-purpose", "spot" still reference this EC2NodeClass: without it Karpenter launches no nodes for them (point those NodePools at another EC2NodeClass, or delete them, first) [references.node-class-in-use]',
  );
  assert.deepEqual(
    decision.denied.map((f) => f.rule),
    ["references.node-class-in-use"],
  );
  assert.equal(decision.operation, "DELETE");
  assert.equal(decision.name, "default");
  // dryRun: the same answer.
  assert.deepEqual(
    validateAdmission({ ...request, dryRun: true }, await contextFor(cluster)).response,
    decision.response,
  );
  // The mutating webhook never acts on DELETE.
  assert.deepEqual(mutateAdmission(request, await contextFor(cluster)).response, { uid: request.uid, allowed: true });
});

test("DELETE of an EC2NodeClass nothing uses, or only pools being deleted use, is allowed", async () => {
  const cluster = new MemoryCluster([
    asStored(nodeClass),
    poolNamed("elsewhere", "other"),
    poolNamed("leaving", "default", { deletionTimestamp: "2026-11-25T11:59:00Z", finalizers: [] }),
  ]);
  const request = requestOf(deleteReview(nodeClass));
  const decision = validateAdmission(request, await contextFor(cluster));
  assert.deepEqual(decision.response, { uid: request.uid, allowed: true });
  // Once the last user is repointed, the class can go.
  cluster.add(poolNamed("elsewhere", "default"));
  assert.equal(validateAdmission(request, await contextFor(cluster)).response.allowed, false);
  assert.equal(cluster.remove("NodePool", "elsewhere"), true);
  assert.equal(validateAdmission(request, await contextFor(cluster)).response.allowed, true);
});

test("without a cluster view the DELETE is allowed, with a warning that it was not checked", () => {
  const request = requestOf(deleteReview(nodeClass));
  const decision = validateAdmission(request, admissionContext());
  assert.deepEqual(responseProblems(decision.response, request), []);
  assert.equal(decision.response.allowed, true);
  assert.deepEqual(decision.response.warnings, [
    'whether a NodePool still uses EC2NodeClass "default" was not checked: the webhook has no view of the cluster [references.node-class-in-use]',
  ]);
  assert.deepEqual(
    decision.warned.map((f) => f.rule),
    ["references.node-class-in-use"],
  );
});

test("other DELETEs are allowed without a word", async () => {
  const cluster = new MemoryCluster(upstreamObjects().map((o) => asStored(o.object)));
  const context = await contextFor(cluster);
  for (const { object } of upstreamObjects().filter((o) => o.kind === "NodePool")) {
    const request = requestOf(deleteReview(object));
    assert.deepEqual(validateAdmission(request, context).response, { uid: request.uid, allowed: true });
  }
});

test("MemoryCluster holds one object per kind and name, ignores other kinds, and hands out copies", async () => {
  const cluster = new MemoryCluster([
    asStored(nodeClass),
    poolNamed("a"),
    poolNamed("a"),
    { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "x" } },
    { apiVersion: "example.com/v1", kind: "NodePool", metadata: { name: "foreign" } },
    "not an object",
  ]);
  assert.equal((await cluster.listNodePools()).length, 1);
  assert.equal((await cluster.listNodeClasses()).length, 1);
  const listed = (await cluster.listNodePools())[0] as Json;
  (listed.metadata as Json).name = "changed";
  assert.equal(cluster.get("NodePool", "a") !== undefined, true);
  assert.equal(cluster.get("NodePool", "changed"), undefined);
  cluster.set([]);
  assert.deepEqual(await cluster.listNodePools(), []);
  assert.deepEqual(await cluster.listNodeClasses(), []);
  assert.equal(cluster.remove("EC2NodeClass", "default"), false);
});
