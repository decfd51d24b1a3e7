// The core never throws and always answers in a shape the API server accepts: 2,000 requests built from the
// upstream examples (CREATE, UPDATE, DELETE), then mutated at every level — the objects' fields removed, replaced
// by values of other types or garbled, the request's own fields changed — go through both webhooks, with and
// without a cluster view. No request may reach the internal-error fallback, and every patch must apply to the
// object it was computed for. A seeded generator makes a failure reproducible.
import { test } from "node:test";
import assert from "node:assert/strict";
import jsonpatch from "fast-json-patch";
import { cloneJson, isRecord } from "../../api/index.ts";
import { mutateAdmission, validateAdmission, type AdmissionRequest } from "../../webhook/admission/index.ts";
import {
  admissionContext,
  asStored,
  createReview,
  deleteReview,
  patchOf,
  requestOf,
  responseProblems,
  updateReview,
  upstreamObjects,
} from "../support/admission-fixtures.ts";
import { mutateJson, seededRandom, type MutationProfile } from "../support/json-mutation.ts";

const replacements: unknown[] = [
  null,
  undefined,
  0,
  -1,
  1.5,
  2 ** 53,
  "",
  "x",
  "Never",
  "aws:team",
  "optional",
  "disabled",
  "💥\n\u0000\uD800",
  "a".repeat(5000),
  true,
  [],
  {},
  [null],
  { "": 1 },
  JSON.parse('{"__proto__": {"polluted": true}}') as unknown,
];

const profile: MutationProfile = {
  replacements,
  replace: 0.04,
  maxDepth: 10,
  emptyList: 0.05,
  doubleList: 0.05,
  dropKey: 0.03,
  misspellKey: 0.01,
  garbleString: 0.2,
  extraKeys: ["tags", "metadataOptions", "aws:x", "status"],
  addKey: 0.02,
};
const mutate = (value: unknown, next: () => number) => mutateJson(value, next, profile);

/** With problems the mutating webhook fixes (reserved tags, IMDSv1), so that patches get fuzzed too. */
function fixable(object: Record<string, unknown>): Record<string, unknown> {
  if (object.kind !== "EC2NodeClass" || !isRecord(object.spec)) return object;
  return {
    ...object,
    spec: {
      ...object.spec,
      tags: { "aws:team": "platform", team: "platform" },
      metadataOptions: { httpEndpoint: "disabled", httpTokens: "optional" },
    },
  };
}

/** A mutated version that is still an object, as the fixtures need one to build an UPDATE from. */
function changed(object: Record<string, unknown>, next: () => number): Record<string, unknown> {
  const out = mutate(object, next);
  return isRecord(out) ? out : object;
}

const REQUEST_FIELDS = ["uid", "kind", "operation", "subResource", "name", "object", "oldObject", "dryRun", "userInfo"];

function mutateRequest(request: AdmissionRequest, next: () => number): AdmissionRequest {
  const out = cloneJson(request) as unknown as Record<string, unknown>;
  out.object = next() < 0.7 ? mutate(out.object, next) : out.object;
  out.oldObject = next() < 0.5 ? mutate(out.oldObject, next) : out.oldObject;
  if (next() < 0.15) {
    const field = REQUEST_FIELDS[Math.floor(next() * REQUEST_FIELDS.length)] as string;
    out[field] = replacements[Math.floor(next() * replacements.length)];
  }
  if (next() < 0.05) out.operation = ["CREATE", "UPDATE", "DELETE", "CONNECT"][Math.floor(next() * 4)];
  return out as unknown as AdmissionRequest;
}

test("2,000 mutated requests: never a throw, never the fallback, always a well-formed response", () => {
  const objects = upstreamObjects().map((o) => o.object);
  const stored = objects.map((o) => asStored(o));
  const contexts = [
    admissionContext(),
    admissionContext({ preset: "strict" }),
    admissionContext({
      cluster: {
        nodePools: stored.filter((o) => o.kind === "NodePool"),
        nodeClasses: stored.filter((o) => o.kind === "EC2NodeClass"),
      },
    }),
  ];
  const next = seededRandom(20261125);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)] as T;
  let patches = 0;
  let denials = 0;
  for (let i = 0; i < 2000; i++) {
    const object = next() < 0.3 ? fixable(pick(objects)) : pick(objects);
    const r = next();
    const review =
      r < 0.45
        ? createReview(object, { stage: next() < 0.5 ? "mutating" : "validating" })
        : r < 0.85
          ? updateReview(object, changed(object, next))
          : deleteReview(object);
    const request = mutateRequest(requestOf(review), next);
    const context = pick(contexts);
    const where = `request ${i}: ${JSON.stringify(request).slice(0, 300)}`;
    for (const decide of [validateAdmission, mutateAdmission]) {
      const decision = decide(request, context);
      assert.equal(decision.error, undefined, `${where}\n${decision.error}`);
      assert.deepEqual(responseProblems(decision.response, request), [], where);
      if (decision.response.allowed === false) denials++;
      if (decision.response.patch !== undefined) {
        patches++;
        const operations = patchOf(decision.response);
        assert.doesNotThrow(() => jsonpatch.applyPatch(cloneJson(request.object), operations, true, false), where);
        assert.ok(
          operations.every((op) => op.path.startsWith("/spec/") || op.path === "/spec"),
          where,
        );
      }
    }
  }
  // The corpus exercises both outcomes, not only the easy one.
  assert.ok(denials > 100, `${denials} denials`);
  assert.ok(patches > 10, `${patches} patches`);
});

test("a request that is not even an object gets an answer", () => {
  const context = admissionContext();
  for (const request of [null, undefined, 42, "x", [], {}, { uid: 5 }, { kind: null, operation: "CREATE" }]) {
    for (const decide of [validateAdmission, mutateAdmission]) {
      const decision = decide(request as unknown as AdmissionRequest, context);
      assert.equal(typeof decision.response.allowed, "boolean");
      assert.equal(typeof decision.response.uid, "string");
    }
  }
});

test("a failure inside the core still ends in an answer: 500 from validation, no patch from mutation", () => {
  const context = admissionContext();
  const broken = {
    ...context,
    policy: {
      ...context.policy,
      resolve: () => {
        throw new Error("policy store corrupted");
      },
    },
  };
  const request = requestOf(createReview(upstreamObjects()[0]?.object ?? {}));
  const validated = validateAdmission(request, broken);
  assert.equal(validated.response.allowed, false);
  assert.equal(validated.response.status?.code, 500);
  assert.equal(validated.response.status?.reason, "InternalError");
  assert.match(
    validated.response.status?.message ?? "",
    /could not judge this request \(Error: policy store corrupted\)/,
  );
  assert.equal(validated.error, "Error: policy store corrupted");
  const mutated = mutateAdmission(request, broken);
  assert.equal(mutated.response.allowed, true);
  assert.equal(mutated.response.patch, undefined);
  assert.equal(mutated.response.warnings?.length, 1);
  assert.deepEqual(responseProblems(mutated.response, request), []);
});
