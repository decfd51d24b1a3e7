// Anyone who can reach the webhook's port can post an AdmissionReview. The stored version of an UPDATE is judged
// once and its findings kept; a forged review whose oldObject carries a real object's uid and resourceVersion
// but other content must not decide how the API server's next real UPDATE of that object is judged. The
// property: a real review gets the verdict it gets on a webhook that never saw the forged ones.
import { test } from "node:test";
import assert from "node:assert/strict";
import { cloneJson } from "../../api/index.ts";
import { validateAdmission, type AdmissionContext } from "../../webhook/admission/index.ts";
import { admissionContext, asStored, rawUpdateReview, requestOf, upstream } from "../support/admission-fixtures.ts";

type Json = Record<string, unknown>;

const pool = upstream("general-purpose.yaml", "NodePool");
const spec = (o: Json) => o.spec as Json;
const templateSpec = (o: Json) => (spec(o).template as Json).spec as Json;

/** A copy of `object` with its spec changed by `edit` (metadata, uid and resourceVersion included, kept). */
function edited(object: Json, edit: (copy: Json) => void): Json {
  const copy = cloneJson(object);
  edit(copy);
  return copy;
}

const withCpu = (object: Json, cpu: string) =>
  edited(object, (o) => {
    spec(o).limits = { cpu, memory: "1000Gi" };
  });
/** Allows the GPU families g and p besides c, m and r. */
const withGpuFamilies = (object: Json) =>
  edited(object, (o) => {
    const category = (templateSpec(o).requirements as Json[]).find(
      (r) => r.key === "karpenter.k8s.aws/instance-category",
    );
    if (category) category.values = ["c", "m", "r", "g", "p"];
  });

/** The API server's UPDATE: the stored object to a new spec, generation raised. */
function realUpdate(stored: Json, updated: Json) {
  const metadata = { ...(updated.metadata as Json), generation: Number((stored.metadata as Json).generation) + 1 };
  return requestOf(rawUpdateReview(stored, { ...updated, metadata }));
}

/** The attacker's review: the stored object's uid and resourceVersion on a forged oldObject, any change. */
function forgedUpdate(forgedStored: Json) {
  const object = edited(forgedStored, (o) => {
    spec(o).weight = 7;
  });
  return requestOf(rawUpdateReview(forgedStored, object));
}

function verdict(context: AdmissionContext, request: ReturnType<typeof realUpdate>) {
  const decision = validateAdmission(request, context);
  return {
    allowed: decision.response.allowed,
    denied: decision.denied.map((f) => f.rule),
    response: decision.response,
  };
}

test("a forged oldObject with the real uid and resourceVersion does not make a real cpu increase pre-existing", () => {
  const rules = { "limits.max-per-pool": { params: { cpu: 1000 } } };
  const stored = asStored(withCpu(pool, "100"));
  const real = realUpdate(stored, withCpu(stored, "5000"));
  // What the webhook answers when nobody else has talked to it.
  const honest = verdict(admissionContext({ rules }), real);
  assert.equal(honest.allowed, false);
  assert.deepEqual(honest.denied, ["limits.max-per-pool"]);

  const context = admissionContext({ rules });
  validateAdmission(forgedUpdate(withCpu(stored, "99999")), context);
  const after = verdict(context, real);
  assert.equal(after.allowed, false, JSON.stringify(after.response));
  assert.deepEqual(after.denied, ["limits.max-per-pool"]);
});

test("a forged oldObject that already has the finding the real change introduces does not excuse it", () => {
  // The real change allows GPU types on a pool whose taints (not changed) do not keep other pods off them: the
  // finding is at spec.template.spec.taints, whose value is the same before and after, so only the stored
  // version's own findings tell that the change introduced it.
  const rules = { "taints.gpu-untainted": { enforcement: "deny" } };
  const tainted = edited(pool, (o) => {
    templateSpec(o).taints = [{ key: "team", value: "ml", effect: "NoSchedule" }];
  });
  const stored = asStored(tainted);
  const real = realUpdate(stored, withGpuFamilies(stored));
  const honest = verdict(admissionContext({ rules }), real);
  assert.equal(honest.allowed, false);
  assert.deepEqual(honest.denied, ["taints.gpu-untainted"]);

  const context = admissionContext({ rules });
  validateAdmission(forgedUpdate(withGpuFamilies(stored)), context);
  const after = verdict(context, real);
  assert.equal(after.allowed, false, JSON.stringify(after.response));
  assert.deepEqual(after.denied, ["taints.gpu-untainted"]);
});

test("whatever forged reviews came first, a real review's answer is the one an untouched webhook gives", () => {
  const rules = { "limits.max-per-pool": { params: { cpu: 1000 } }, "taints.gpu-untainted": { enforcement: "deny" } };
  const stored = asStored(withCpu(pool, "100"));
  const forgeries = [
    withCpu(stored, "99999"),
    withGpuFamilies(stored),
    withGpuFamilies(withCpu(stored, "5000")),
    edited(stored, (o) => {
      delete spec(o).limits;
    }),
    stored,
  ];
  const reals = [
    realUpdate(stored, withCpu(stored, "5000")),
    realUpdate(stored, withGpuFamilies(stored)),
    realUpdate(stored, withCpu(stored, "900")),
  ];
  for (const real of reals) {
    const honest = verdict(admissionContext({ rules }), real).response;
    const context = admissionContext({ rules });
    for (const forged of forgeries) validateAdmission(forgedUpdate(forged), context);
    assert.deepEqual(verdict(context, real).response, honest);
  }
});
