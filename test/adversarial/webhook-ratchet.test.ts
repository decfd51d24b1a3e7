// Ratcheting lets an UPDATE through despite a problem the stored object already had. It must not become a way to
// make that problem worse: a finding is excused only when the stored object had it too and the value at its
// field is the same before and after (as the API server's CRD validation ratcheting, KEP-4008, excuses only
// unchanged values). And poolkeeper's own annotations (knobs the autoscaler reads) are not metadata Karpenter
// writes: changing them is judged like a spec change.
import { test } from "node:test";
import assert from "node:assert/strict";
import { cloneJson } from "../../api/index.ts";
import { validateAdmission } from "../../webhook/admission/index.ts";
import { admissionContext, asStored, rawUpdateReview, requestOf, upstream } from "../support/admission-fixtures.ts";

type Json = Record<string, unknown>;

const pool = upstream("general-purpose.yaml", "NodePool");
const spec = (o: Json) => o.spec as Json;
const metadata = (o: Json) => o.metadata as Json;

function edited(object: Json, edit: (copy: Json) => void): Json {
  const copy = cloneJson(object);
  edit(copy);
  return copy;
}

/** The API server's UPDATE of `stored` to `updated`, generation raised when the spec changed. */
function update(stored: Json, updated: Json) {
  const specChanged = JSON.stringify(spec(stored)) !== JSON.stringify(spec(updated));
  const generation = Number(metadata(stored).generation) + (specChanged ? 1 : 0);
  return requestOf(rawUpdateReview(stored, { ...updated, metadata: { ...metadata(updated), generation } }));
}

const withCpu = (object: Json, cpu: string) =>
  edited(object, (o) => {
    spec(o).limits = { cpu, memory: "4000Gi" };
  });

test("making a pre-existing violation worse is the change's own: limits.cpu 1500 → 1,000,000 over a maximum of 1000", () => {
  const context = admissionContext({ rules: { "limits.max-per-pool": { params: { cpu: 1000 } } } });
  const stored = asStored(withCpu(pool, "1500"));
  const decision = validateAdmission(update(stored, withCpu(stored, "1000000")), context);
  assert.equal(decision.response.allowed, false, JSON.stringify(decision.response));
  assert.deepEqual(
    decision.denied.map((f) => [f.rule, f.pointer]),
    [["limits.max-per-pool", "/spec/limits/cpu"]],
  );
  // Lowering it (still over the maximum) is a change at the field too: judged, and still denied.
  const lowered = validateAdmission(update(stored, withCpu(stored, "1200")), context);
  assert.equal(lowered.response.allowed, false);
  // Leaving it alone while changing something else is what ratcheting is for: allowed, with the warning.
  const unrelated = validateAdmission(
    update(
      stored,
      edited(stored, (o) => {
        spec(o).weight = 20;
      }),
    ),
    context,
  );
  assert.equal(unrelated.response.allowed, true, JSON.stringify(unrelated.response));
  assert.deepEqual(
    unrelated.warned.filter((f) => f.downgraded === "pre-existing").map((f) => f.rule),
    ["limits.max-per-pool"],
  );
});

test("a field added where the stored object had none is new: a limit written over the maximum is denied", () => {
  // limits.max-per-pool reports a missing cpu limit at spec.limits.cpu too; writing one above the maximum is a
  // change there, not the old finding.
  const context = admissionContext({ rules: { "limits.max-per-pool": { params: { cpu: 1000 } } } });
  const stored = asStored(pool);
  const decision = validateAdmission(update(stored, withCpu(stored, "50000")), context);
  assert.equal(decision.response.allowed, false, JSON.stringify(decision.response));
  assert.deepEqual(
    decision.denied.map((f) => f.rule),
    ["limits.max-per-pool"],
  );
});

test("worse through another field: the same finding at an unchanged field, with a different verdict, is new", () => {
  // limits.max-hourly-cost reports at spec.limits.cpu, which stays 1000; allowing GPU families raises what the
  // pool can cost. The stored object's finding said one thing, the new one another: the change made it worse.
  const context = admissionContext({
    rules: { "limits.max-hourly-cost": { enforcement: "deny", params: { maxHourlyCost: 10 } } },
  });
  const stored = asStored(
    edited(pool, (o) => {
      spec(o).limits = { cpu: "1000" };
    }),
  );
  const gpu = edited(stored, (o) => {
    const requirements = (spec(o).template as Json).spec as Json;
    const category = (requirements.requirements as Json[]).find((r) => r.key === "karpenter.k8s.aws/instance-category");
    if (category) category.values = ["c", "m", "r", "p"];
  });
  const decision = validateAdmission(update(stored, gpu), context);
  assert.equal(decision.response.allowed, false, JSON.stringify(decision.response));
  assert.deepEqual(
    decision.denied.map((f) => [f.rule, f.pointer]),
    [["limits.max-hourly-cost", "/spec/limits/cpu"]],
  );
});

test("an UPDATE of poolkeeper.dev/ annotations alone is judged; other metadata-only updates still are not", () => {
  const annotation = "poolkeeper.dev/max-nodes";
  const context = admissionContext({
    spec: {
      customRules: [
        {
          id: "max-nodes-knob",
          kinds: ["NodePool"],
          expression: `!has(object.metadata.annotations) || !('${annotation}' in object.metadata.annotations) || int(object.metadata.annotations['${annotation}']) <= 100`,
          message: `${annotation} is at most 100`,
          path: "/metadata/annotations",
          enforcement: "deny",
        },
      ],
    },
  });
  const stored = asStored(pool);
  const knob = (value: string) =>
    edited(stored, (o) => {
      metadata(o).annotations = { ...(metadata(o).annotations as Json), [annotation]: value };
    });
  const denied = validateAdmission(update(stored, knob("100000")), context);
  assert.equal(denied.response.allowed, false, JSON.stringify(denied.response));
  assert.deepEqual(
    denied.denied.map((f) => f.rule),
    ["custom.max-nodes-knob"],
  );
  assert.equal(validateAdmission(update(stored, knob("50")), context).response.allowed, true);
  // Another annotation on an object whose knob is already too high: everyone else's metadata stays unjudged.
  const tooHigh = knob("100000");
  const owned = edited(tooHigh, (o) => {
    metadata(o).annotations = { ...(metadata(o).annotations as Json), "example.com/owner": "team-a" };
  });
  const decision = validateAdmission(update(tooHigh, owned), context);
  assert.deepEqual(decision.response, { uid: decision.response.uid, allowed: true });
  assert.deepEqual(decision.findings, []);
});
