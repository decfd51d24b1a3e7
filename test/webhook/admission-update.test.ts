// UPDATE ratchets: only what the change introduces is denied; what the stored object already had is a warning
// ("pre-existing: fix it in Git"). Karpenter's own writes (hash annotations, finalizers, status) pass without a
// word. Drift-causing edits are warned about, with the stored status's node count, and never patched.
import { test } from "node:test";
import assert from "node:assert/strict";
import { cloneJson } from "../../api/index.ts";
import { mutateAdmission, validateAdmission } from "../../webhook/admission/index.ts";
import {
  admissionContext,
  asStored,
  rawUpdateReview,
  requestOf,
  responseProblems,
  updateReview,
  upstream,
  users,
} from "../support/admission-fixtures.ts";

type Json = Record<string, unknown>;

const baseline = admissionContext();

function withSpec(object: Json, spec: Json): Json {
  return { ...object, spec: { ...(object.spec as Json), ...spec } };
}

const clean = upstream("general-purpose.yaml", "EC2NodeClass");
const violating = withSpec(clean, { tags: { "aws:team": "platform", team: "platform" } });

test("an UPDATE that introduces a violation is denied, naming only what it introduced", () => {
  const before = withSpec(clean, { tags: { "aws:team": "platform" } });
  const after = withSpec(clean, {
    tags: { "aws:team": "platform" },
    metadataOptions: {
      httpEndpoint: "enabled",
      httpProtocolIPv6: "disabled",
      httpPutResponseHopLimit: 1,
      httpTokens: "optional",
    },
  });
  const request = requestOf(updateReview(before, after));
  const decision = validateAdmission(request, baseline);
  assert.deepEqual(responseProblems(decision.response, request), []);
  assert.equal(decision.response.allowed, false);
  assert.equal(decision.response.status?.code, 403);
  assert.deepEqual(
    decision.denied.map((f) => f.rule),
    ["imds.http-tokens"],
  );
  const message = decision.response.status?.message ?? "";
  assert.match(
    message,
    /^EC2NodeClass "default" violates 1 poolkeeper policy rule:\n- spec\.metadataOptions\.httpTokens: /,
  );
  assert.ok(!message.includes("tags.reserved"));
  assert.ok(
    (decision.response.warnings ?? []).some((w) =>
      w.startsWith('pre-existing: fix it in Git: spec.tags["aws:team"]: '),
    ),
  );
  assert.equal(decision.response.patch, undefined);
});

test("an UPDATE of an object that already violates policy, with an unrelated change, is allowed with warnings", () => {
  const after = withSpec(violating, { userData: "#!/bin/bash\necho hello\n" });
  const request = requestOf(updateReview(violating, after, { user: users.argocd }));
  const decision = validateAdmission(request, baseline);
  assert.deepEqual(responseProblems(decision.response, request), []);
  assert.equal(decision.response.allowed, true);
  assert.deepEqual(decision.denied, []);
  const preExisting = decision.warned.filter((f) => f.downgraded === "pre-existing");
  assert.deepEqual(
    preExisting.map((f) => f.rule),
    ["tags.reserved"],
  );
  assert.equal(decision.findings.find((f) => f.rule === "tags.reserved")?.severity, "deny");
  const warnings = decision.response.warnings ?? [];
  assert.match(warnings[0] ?? "", /^pre-existing: fix it in Git: spec\.tags\["aws:team"\]: .* \[tags\.reserved\]$/);
  // The change itself drifts the class's nodes: said too.
  assert.ok(warnings.some((w) => w.startsWith("spec.userData: ") && w.endsWith("[change-impact.nodeclass-drift]")));
});

test("Karpenter's metadata and status writes are allowed without a word, even on a violating object", () => {
  for (const object of [violating, upstream("general-purpose.yaml", "NodePool")]) {
    const stored = asStored(object);
    const hashed = cloneJson(stored);
    const metadata = hashed.metadata as Json;
    metadata.annotations = {
      ...(metadata.annotations as Json),
      ...(object.kind === "NodePool"
        ? { "karpenter.sh/nodepool-hash": "123", "karpenter.sh/nodepool-hash-version": "v4" }
        : { "karpenter.k8s.aws/ec2nodeclass-hash": "456", "karpenter.k8s.aws/ec2nodeclass-hash-version": "v6" }),
    };
    metadata.resourceVersion = "2002";
    const finalizerRemoved = cloneJson(stored);
    (finalizerRemoved.metadata as Json).finalizers = [];
    (finalizerRemoved.metadata as Json).deletionTimestamp = "2026-11-25T11:00:00Z";
    const statusChanged = cloneJson(stored);
    (statusChanged.status as Json).conditions = [];
    for (const updated of [hashed, finalizerRemoved, statusChanged]) {
      const request = requestOf(rawUpdateReview(stored, updated, { user: users.karpenter }));
      for (const decide of [validateAdmission, mutateAdmission]) {
        const decision = decide(request, baseline);
        assert.deepEqual(decision.response, { uid: request.uid, allowed: true });
        assert.deepEqual(decision.findings, []);
      }
    }
  }
});

test("a drift-causing change is warned about with the node count, and never patched", () => {
  const pool = upstream("general-purpose.yaml", "NodePool");
  const template = (pool.spec as Json).template as Json;
  const relabelled = withSpec(pool, {
    template: { ...template, metadata: { labels: { team: "payments" } } },
  });
  const request = requestOf(updateReview(pool, relabelled));
  const decision = validateAdmission(request, baseline);
  assert.deepEqual(responseProblems(decision.response, request), []);
  assert.equal(decision.response.allowed, true);
  const drift = decision.warned.find((f) => f.rule === "change-impact.nodepool-drift");
  assert.ok(drift, JSON.stringify(decision.warned.map((f) => f.rule)));
  assert.match(drift.message, /3 nodes/);
  assert.ok((decision.response.warnings ?? []).some((w) => w.endsWith("[change-impact.nodepool-drift]")));
  assert.equal(decision.response.patch, undefined);
  assert.deepEqual(mutateAdmission(request, baseline).response, { uid: request.uid, allowed: true });
});

test("an UPDATE that fixes a pre-existing problem is allowed without a word about it", () => {
  const fixed = withSpec(violating, { tags: { team: "platform" } });
  const decision = validateAdmission(requestOf(updateReview(violating, fixed)), baseline);
  assert.equal(decision.response.allowed, true);
  assert.ok(!decision.warned.some((f) => f.rule === "tags.reserved"));
});

test("an UPDATE without the stored object is judged as a new object", () => {
  const request = { ...requestOf(updateReview(violating, violating)), oldObject: null };
  const decision = validateAdmission(request, baseline);
  assert.deepEqual(responseProblems(decision.response, request), []);
  assert.equal(decision.response.allowed, false);
  assert.deepEqual(
    decision.denied.map((f) => f.rule),
    ["tags.reserved"],
  );
});

test("with a cluster view, an UPDATE is judged against the other objects, its own stored copy replaced", () => {
  const pool = upstream("general-purpose.yaml", "NodePool");
  const nodeClass = asStored(clean);
  const cluster = { nodePools: [asStored(pool)], nodeClasses: [nodeClass] };
  const repointed = withSpec(pool, {
    template: {
      ...((pool.spec as Json).template as Json),
      spec: {
        ...(((pool.spec as Json).template as Json).spec as Json),
        nodeClassRef: { group: "karpenter.k8s.aws", kind: "EC2NodeClass", name: "missing" },
      },
    },
  });
  const decision = validateAdmission(requestOf(updateReview(pool, repointed)), admissionContext({ cluster }));
  assert.equal(decision.response.allowed, false);
  assert.deepEqual(
    decision.denied.map((f) => f.rule),
    ["references.node-class"],
  );
  // Without the view the same change cannot be judged for references: allowed (with its drift warning).
  const blind = validateAdmission(requestOf(updateReview(pool, repointed)), baseline);
  assert.equal(blind.response.allowed, true);
  assert.ok(blind.warned.some((f) => f.rule === "change-impact.nodepool-drift"));
});

test("the stored version's findings are reused across updates, and a new stored version is judged afresh", () => {
  const stored = asStored(clean);
  const change = (object: Json) => requestOf(rawUpdateReview(stored, object));
  // The same stored version twice: the second decision (from the kept findings) is the first one.
  const first = validateAdmission(change(violating), baseline).response;
  const second = validateAdmission(change(violating), baseline).response;
  assert.equal(first.allowed, false);
  assert.deepEqual({ ...second, uid: first.uid }, first);
  // A later stored version that already violates: the same change is now pre-existing, so it is allowed.
  const storedViolating = asStored(violating, { generation: 2 });
  const metadata = storedViolating.metadata as Json;
  metadata.uid = (stored.metadata as Json).uid;
  const again = validateAdmission(requestOf(rawUpdateReview(storedViolating, { ...violating, metadata })), baseline);
  assert.equal(again.response.allowed, true);
  assert.ok(
    (again.response.warnings ?? []).some((w) => w.includes("pre-existing")),
    JSON.stringify(again.response),
  );
});

test("a metadata-only change to a poolkeeper.dev annotation is judged like a spec change", () => {
  const stored = asStored(upstream("general-purpose.yaml", "NodePool"));
  const annotate = (value: string) => {
    const updated = cloneJson(stored);
    const metadata = updated.metadata as Json;
    metadata.annotations = { ...(metadata.annotations as Json), "poolkeeper.dev/max-hourly-cost": value };
    return updated;
  };
  const bad = requestOf(rawUpdateReview(stored, annotate("ten")));
  const denied = validateAdmission(bad, baseline);
  assert.equal(denied.response.allowed, false);
  assert.deepEqual(
    denied.denied.map((f) => f.rule),
    ["limits.hourly-cost-annotation"],
  );
  const good = requestOf(rawUpdateReview(stored, annotate("12.50")));
  const allowed = validateAdmission(good, baseline);
  assert.equal(allowed.response.allowed, true);
  assert.ok(
    (allowed.response.warnings ?? []).some((w) => w.endsWith("[limits.hourly-cost-annotation-scope]")),
    JSON.stringify(allowed.response.warnings),
  );
});
