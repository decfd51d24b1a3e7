// The decisions of Git → cluster over plain data: field ownership read from managedFields (FieldsV1 as the API
// server writes it, in the shape of the Kubernetes server-side apply documentation), drift, the apply plan and the
// prune rules. The end-to-end story over the API server is cluster-sync.test.ts.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { ClusterObject } from "../../api/index.ts";
import { describeDrift, differingFields, driftedFields, type FieldDrift } from "../../gitops/cluster-drift.ts";
import { planClusterSync, type DesiredObject, type LiveObject } from "../../gitops/cluster-plan.ts";
import { appliedBy, appliedFields, ownersOf } from "../../gitops/field-ownership.ts";

const GIT_POOL = {
  apiVersion: "karpenter.sh/v1",
  kind: "NodePool",
  metadata: { name: "default", labels: { team: "platform" } },
  spec: {
    template: {
      spec: {
        nodeClassRef: { group: "karpenter.k8s.aws", kind: "EC2NodeClass", name: "default" },
        requirements: [{ key: "karpenter.sh/capacity-type", operator: "In", values: ["spot"] }],
      },
    },
    limits: { cpu: "1000" },
    disruption: { budgets: [{ nodes: "10%" }] },
  },
};

/** poolkeeper's Apply entry for GIT_POOL, as the API server records it. */
const POOLKEEPER_APPLY = {
  manager: "poolkeeper",
  operation: "Apply",
  apiVersion: "karpenter.sh/v1",
  time: "2026-03-01T12:00:00Z",
  fieldsType: "FieldsV1",
  fieldsV1: {
    "f:metadata": { "f:labels": { ".": {}, "f:team": {} } },
    "f:spec": {
      ".": {},
      "f:disruption": { ".": {}, "f:budgets": {} },
      "f:limits": { ".": {}, "f:cpu": {} },
      "f:template": {
        ".": {},
        "f:spec": {
          ".": {},
          "f:nodeClassRef": { ".": {}, "f:group": {}, "f:kind": {}, "f:name": {} },
          "f:requirements": {},
        },
      },
    },
  },
};

/** The parts of a NodePool these tests change. */
interface PoolShape {
  metadata: {
    name?: string;
    uid?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    finalizers?: string[];
    managedFields?: unknown[];
  };
  spec: {
    template: { spec: { nodeClassRef: { name: string }; requirements: unknown[] } };
    limits: { cpu?: string };
    disruption: { budgets: Record<string, unknown>[]; consolidationPolicy?: string; consolidateAfter?: string };
  };
  status?: unknown;
}

/** GIT_POOL as stored: defaults filled in (consolidation), Karpenter's annotation, finalizer and status. */
function stored(change: (pool: PoolShape) => void = () => {}, managedFields: unknown[] = [POOLKEEPER_APPLY]) {
  const pool = structuredClone(GIT_POOL) as PoolShape;
  pool.metadata.uid = "0b6f6c3e-1111-4b5e-9e1d-2a2a2a2a2a2a";
  pool.metadata.annotations = { "karpenter.sh/nodepool-hash": "6821555240594823858" };
  pool.metadata.finalizers = ["karpenter.sh/termination"];
  pool.metadata.managedFields = structuredClone(managedFields);
  pool.spec.disruption.consolidationPolicy = "WhenEmptyOrUnderutilized";
  pool.spec.disruption.consolidateAfter = "0s";
  pool.status = { resources: { cpu: "4" } };
  change(pool);
  return pool as unknown as ClusterObject & Record<string, unknown>;
}

/** What `kubectl edit` of spec.limits.cpu leaves: the field moved to kubectl-edit's Update entry. */
function editedByKubectl(cpu: string) {
  const apply = structuredClone(POOLKEEPER_APPLY);
  delete (apply.fieldsV1["f:spec"]["f:limits"] as Record<string, unknown>)["f:cpu"];
  const edit = {
    manager: "kubectl-edit",
    operation: "Update",
    apiVersion: "karpenter.sh/v1",
    fieldsType: "FieldsV1",
    fieldsV1: { "f:spec": { "f:limits": { "f:cpu": {} } } },
  };
  return stored((p) => (p.spec.limits.cpu = cpu), [apply, edit]);
}

describe("field ownership from managedFields", () => {
  it("names who applied, who owns a field, and the leaves an Apply entry holds (a list is one field)", () => {
    const live = editedByKubectl("3000");
    assert.equal(appliedBy(live, "poolkeeper"), true);
    assert.equal(appliedBy(live, "kubectl-edit"), false, "an Update is not an apply");
    assert.deepEqual(ownersOf(live, ["spec", "limits", "cpu"]), ["kubectl-edit"]);
    assert.deepEqual(ownersOf(live, ["spec", "template", "spec", "requirements"]), ["poolkeeper"]);
    assert.deepEqual(ownersOf(live, ["metadata", "annotations", "karpenter.sh/nodepool-hash"]), []);
    assert.deepEqual(
      appliedFields(stored(), "poolkeeper")
        .map((p) => p.join("."))
        .sort(),
      [
        "metadata.labels.team",
        "spec.disruption.budgets",
        "spec.limits.cpu",
        "spec.template.spec.nodeClassRef.group",
        "spec.template.spec.nodeClassRef.kind",
        "spec.template.spec.nodeClassRef.name",
        "spec.template.spec.requirements",
      ],
    );
  });

  it("ignores the status subresource's entries and entries that are not objects", () => {
    const live = stored(() => {}, [
      { manager: "karpenter", operation: "Apply", subresource: "status", fieldsV1: { "f:status": {} } },
      "garbage",
    ]);
    assert.equal(appliedBy(live, "karpenter"), false);
    assert.deepEqual(ownersOf(live, ["status"]), []);
  });
});

describe("drift", () => {
  it("the stored object holds everything Git sets: defaults, Karpenter's annotation, finalizer and status are not Git's", () => {
    assert.deepEqual(differingFields(GIT_POOL, stored()), []);
    assert.deepEqual(driftedFields(GIT_POOL, stored(), "poolkeeper"), []);
  });

  it("a field another manager took is drift, named with the manager; a field poolkeeper still owns is Git's change", () => {
    const drift = driftedFields(GIT_POOL, editedByKubectl("3000"), "poolkeeper");
    assert.deepEqual(drift, [
      { path: ["spec", "limits", "cpu"], want: "1000", found: "3000", owners: ["kubectl-edit"] },
    ]);
    assert.equal(
      describeDrift(drift[0] as FieldDrift),
      'spec.limits.cpu set to "3000" by kubectl-edit, Git says "1000"',
    );

    const newer = structuredClone(GIT_POOL);
    newer.spec.limits.cpu = "2000";
    assert.deepEqual(driftedFields(newer, stored(), "poolkeeper"), [], "Git moved on; the cluster has the old value");
    assert.deepEqual(differingFields(newer, stored()), [
      { path: ["spec", "limits", "cpu"], want: "2000", found: "1000" },
    ]);
  });

  it("a removed field is drift; a list is compared as a whole; userData and long values are never quoted", () => {
    const removed = stored((p) => delete p.spec.limits.cpu, [{ ...POOLKEEPER_APPLY, fieldsV1: {} }]);
    const [drift] = driftedFields(GIT_POOL, removed, "poolkeeper");
    assert.equal(describeDrift(drift as FieldDrift), "spec.limits.cpu removed");

    const longer = stored(
      (p) => p.spec.template.spec.requirements.push({ key: "a", operator: "Exists" }),
      [{ ...POOLKEEPER_APPLY, fieldsV1: {} }],
    );
    assert.deepEqual(
      driftedFields(GIT_POOL, longer, "poolkeeper").map((d) => d.path.join(".")),
      ["spec.template.spec.requirements"],
    );
    assert.equal(
      describeDrift({ path: ["spec", "userData"], want: "token=a", found: "token=b", owners: ["kubectl-edit"] }),
      "spec.userData changed by kubectl-edit",
    );
    assert.equal(
      describeDrift({ path: ["spec", "role"], want: "r".repeat(60), found: "x", owners: [] }),
      'spec.role set to "x"',
    );
  });

  it("an object poolkeeper never applied is adopted, not reverted", () => {
    const foreign = stored(
      (p) => (p.spec.limits.cpu = "5"),
      [{ manager: "kubectl-create", operation: "Update", fieldsV1: {} }],
    );
    assert.deepEqual(driftedFields(GIT_POOL, foreign, "poolkeeper"), []);
  });
});

const desired = (kind: "NodePool" | "EC2NodeClass", name: string, object: Record<string, unknown>): DesiredObject => ({
  kind,
  name,
  object,
});

function nodePool(name: string, nodeClass: string, annotations?: Record<string, string>): LiveObject {
  return {
    kind: "NodePool",
    object: stored((p) => {
      p.metadata.name = name;
      p.spec.template.spec.nodeClassRef.name = nodeClass;
      if (annotations) p.metadata.annotations = annotations;
    }),
  };
}

function nodeClass(name: string, annotations?: Record<string, string>): LiveObject {
  return {
    kind: "EC2NodeClass",
    object: {
      metadata: {
        name,
        uid: `uid-${name}`,
        ...(annotations ? { annotations } : {}),
        managedFields: [{ manager: "poolkeeper", operation: "Apply", fieldsV1: {} }],
      },
    },
  };
}

describe("the apply plan", () => {
  it("creates what is missing (classes first), leaves what holds Git's fields, updates what Git changed or dropped, adopts what others made", () => {
    const dropped = structuredClone(GIT_POOL) as PoolShape;
    delete dropped.metadata.labels;
    const plan = planClusterSync({
      desired: [desired("NodePool", "default", GIT_POOL), desired("EC2NodeClass", "default", { spec: {} })],
      live: [],
      prune: false,
    });
    assert.deepEqual(
      plan.applies.map((a) => `${a.why} ${a.kind}/${a.name}`),
      ["create EC2NodeClass/default", "create NodePool/default"],
    );
    const steady = planClusterSync({
      desired: [desired("NodePool", "default", GIT_POOL)],
      live: [{ kind: "NodePool", object: stored() }],
      prune: false,
    });
    assert.deepEqual(steady.applies, []);
    const label = planClusterSync({
      desired: [desired("NodePool", "default", dropped as unknown as Record<string, unknown>)],
      live: [{ kind: "NodePool", object: stored() }],
      prune: false,
    });
    assert.deepEqual(
      label.applies.map((a) => a.why),
      ["update"],
      "Git dropped metadata.labels.team: the apply removes it",
    );
    const drift = planClusterSync({
      desired: [desired("NodePool", "default", GIT_POOL)],
      live: [{ kind: "NodePool", object: editedByKubectl("3000") }],
      prune: false,
    });
    assert.deepEqual(
      drift.applies.map((a) => [a.why, a.drift.length]),
      [["drift", 1]],
    );
    const foreign = stored((p) => (p.spec.limits.cpu = "5"), [{ manager: "kubectl-create", operation: "Update" }]);
    const adopt = planClusterSync({
      desired: [desired("NodePool", "default", GIT_POOL)],
      live: [{ kind: "NodePool", object: foreign }],
      prune: false,
    });
    assert.deepEqual(
      adopt.applies.map((a) => [a.why, a.changes.map((c) => c.path.join("."))]),
      [["adopt", ["spec.limits.cpu"]]],
    );
  });

  it("reports removals and leaves them by default; prunes with prune: true or the annotation; never a named class", () => {
    const live = [
      nodePool("default", "default"),
      nodePool("batch", "batch"),
      nodePool("gpu", "gpu", { "poolkeeper.dev/prune": "true" }),
      nodeClass("batch"),
      nodeClass("gpu"),
      nodeClass("spare", { "poolkeeper.dev/prune": "false" }),
      nodeClass("old"),
    ];
    const want = [desired("NodePool", "default", GIT_POOL)];
    const off = planClusterSync({ desired: want, live, prune: false });
    assert.deepEqual(
      off.removals.map((r) => `${r.action} ${r.kind}/${r.name}: ${r.why}`),
      [
        "keep NodePool/batch: removed from Git; left in place (prune is off)",
        "prune NodePool/gpu: removed from Git; deleted (its poolkeeper.dev/prune annotation)",
        "keep EC2NodeClass/batch: removed from Git; left in place: still referenced by NodePool batch",
        "keep EC2NodeClass/gpu: removed from Git; left in place: still referenced by NodePool gpu",
        'keep EC2NodeClass/spare: removed from Git; left in place (its poolkeeper.dev/prune annotation is "false")',
        "keep EC2NodeClass/old: removed from Git; left in place (prune is off)",
      ],
    );
    const on = planClusterSync({ desired: want, live, prune: true });
    assert.deepEqual(
      on.removals.filter((r) => r.action === "prune").map((r) => `${r.kind}/${r.name}`),
      ["NodePool/batch", "NodePool/gpu", "EC2NodeClass/old"],
    );
    assert.equal(on.removals.find((r) => r.name === "batch")?.uid, "0b6f6c3e-1111-4b5e-9e1d-2a2a2a2a2a2a");
  });

  it("leaves alone what poolkeeper never applied and what is already being deleted", () => {
    const foreign: LiveObject = { kind: "EC2NodeClass", object: { metadata: { name: "theirs", managedFields: [] } } };
    const deleting = nodeClass("going");
    deleting.object.metadata.deletionTimestamp = "2026-03-01T12:00:00Z";
    assert.deepEqual(planClusterSync({ desired: [], live: [foreign, deleting], prune: true }).removals, []);
  });
});
