// The validating webhook on CREATE: real upstream objects as the API server sends them are allowed under the
// baseline preset; deny findings refuse with 403 and a message that lists each of them within bounds; warn
// findings become warnings within the API server's limits; audit findings stay in the decision; other kinds
// pass untouched; dryRun changes nothing.
import { test } from "node:test";
import assert from "node:assert/strict";
import { cloneJson } from "../../api/index.ts";
import {
  mutateAdmission,
  validateAdmission,
  type AdmissionRequest,
  type AdmissionResponse,
} from "../../webhook/admission/index.ts";
import {
  admissionContext,
  asStored,
  createReview,
  requestOf,
  responseProblems,
  upstream,
  upstreamObjects,
} from "../support/admission-fixtures.ts";

type Json = Record<string, unknown>;

const baseline = admissionContext();

function classWith(spec: Json): Json {
  const object = upstream("general-purpose.yaml", "EC2NodeClass");
  return { ...object, spec: { ...(object.spec as Json), ...spec } };
}

function assertWellFormed(response: AdmissionResponse, request: AdmissionRequest): void {
  assert.deepEqual(responseProblems(response, request), []);
}

test("every upstream example is allowed on CREATE under baseline, with and without a cluster view", () => {
  const objects = upstreamObjects();
  assert.ok(objects.length >= 20);
  for (const { file, kind, object } of objects) {
    const sameFile = objects.filter((o) => o.file === file).map((o) => asStored(o.object));
    const withView = admissionContext({
      cluster: {
        nodePools: sameFile.filter((o) => o.kind === "NodePool"),
        nodeClasses: sameFile.filter((o) => o.kind === "EC2NodeClass"),
      },
    });
    for (const context of [baseline, withView]) {
      const request = requestOf(createReview(object));
      const decision = validateAdmission(request, context);
      assertWellFormed(decision.response, request);
      assert.equal(decision.response.allowed, true, `${file} ${kind}: ${decision.response.status?.message}`);
      assert.equal(decision.response.uid, request.uid);
      assert.equal(decision.response.patch, undefined);
      assert.deepEqual(decision.denied, []);
      assert.equal(decision.kind, kind);
      assert.equal(decision.operation, "CREATE");
      // Baseline has no deny finding on them, so the mutating webhook has nothing to fix.
      const mutating = requestOf(createReview(object, { stage: "mutating" }));
      const mutated = mutateAdmission(mutating, context);
      assertWellFormed(mutated.response, mutating);
      assert.equal(mutated.response.patch, undefined, `${file} ${kind}`);
    }
  }
});

test("the upstream examples' warnings come back as warnings; audit findings only in the decision", () => {
  const request = requestOf(createReview(upstream("general-purpose.yaml", "NodePool")));
  const decision = validateAdmission(request, baseline);
  assertWellFormed(decision.response, request);
  assert.equal(decision.response.allowed, true);
  assert.deepEqual(decision.warned.map((f) => f.rule).sort(), [
    "disruption.termination-grace-period",
    "limits.required",
  ]);
  assert.deepEqual(
    decision.audited.map((f) => f.rule),
    ["disruption.consolidate-after-min"],
  );
  const warnings = decision.response.warnings ?? [];
  assert.equal(warnings.length, 2);
  assert.ok(warnings.some((w) => w.startsWith("spec.limits: ") && w.endsWith(" [limits.required]")));
  assert.ok(!warnings.some((w) => w.includes("consolidate-after-min")), "audit findings are not returned");
  assert.equal(decision.name, "general-purpose");
});

test("deny findings refuse with 403 Forbidden and list each finding with its field and rule", () => {
  const object = classWith({
    metadataOptions: {
      httpEndpoint: "disabled",
      httpProtocolIPv6: "disabled",
      httpPutResponseHopLimit: 1,
      httpTokens: "required",
    },
    tags: { "aws:team": "platform", "AWS:cost-center": "42", team: "platform" },
  });
  const request = requestOf(createReview(object));
  const decision = validateAdmission(request, baseline);
  assertWellFormed(decision.response, request);
  assert.equal(decision.response.allowed, false);
  assert.equal(decision.response.status?.code, 403);
  assert.equal(decision.response.status?.reason, "Forbidden");
  assert.deepEqual(decision.denied.map((f) => f.rule).sort(), ["imds.endpoint", "tags.reserved", "tags.reserved"]);
  const message = decision.response.status?.message ?? "";
  const lines = message.split("\n");
  assert.equal(lines[0], 'EC2NodeClass "default" violates 3 poolkeeper policy rules:');
  assert.equal(lines.length, 4);
  assert.ok(lines.some((l) => l.startsWith("- spec.metadataOptions.httpEndpoint: ") && l.endsWith("[imds.endpoint]")));
  assert.ok(lines.some((l) => l.startsWith('- spec.tags["aws:team"]: ') && l.endsWith("[tags.reserved]")));
  assert.ok(lines.some((l) => l.startsWith('- spec.tags["AWS:cost-center"]: ') && l.includes("(remove the tag")));
  // Warn findings still come back with the denial.
  assert.ok((decision.response.warnings ?? []).some((w) => w.endsWith("[ami.unpinned-alias]")));
});

function customRules(count: number, enforcement: "deny" | "warn", message: (i: number) => string): Json {
  return {
    customRules: Array.from({ length: count }, (_, i) => ({
      id: `rule-${String(i).padStart(2, "0")}`,
      kinds: ["NodePool"],
      expression: "false",
      message: message(i),
      path: `/spec/template/metadata/labels/team-${i}`,
      enforcement,
    })),
  };
}

test("a denial with many findings stays within 4,096 code points and says how many more there are", () => {
  const context = admissionContext({
    spec: customRules(
      40,
      "deny",
      (i) => `rule ${i} is broken: ${"the pool does something the platform forbids; ".repeat(12)}`,
    ),
  });
  const request = requestOf(createReview(upstream("general-purpose.yaml", "NodePool")));
  const decision = validateAdmission(request, context);
  assertWellFormed(decision.response, request);
  assert.equal(decision.denied.length, 40);
  const message = decision.response.status?.message ?? "";
  assert.ok([...message].length <= 4096, `${[...message].length}`);
  const lines = message.split("\n");
  assert.match(lines[0] ?? "", /^NodePool "general-purpose" violates 40 poolkeeper policy rules:$/);
  const last = lines.at(-1) ?? "";
  const more = /^- and (\d+) more: run poolkeeper check$/.exec(last);
  assert.ok(more, last);
  const listed = lines.slice(1, -1);
  assert.equal(listed.length + Number(more[1]), 40);
  assert.ok(listed.length >= 5);
  for (const line of listed) {
    assert.ok([...line].length <= 512);
    assert.match(
      line,
      /^- spec\.template\.metadata\.labels\["team-\d+"\]: rule \d+ is broken: .*… \[custom\.rule-\d+\]$/,
    );
  }
});

test("many warnings: each within 256 code points, all within 2,048, the rest summarized", () => {
  const context = admissionContext({
    spec: customRules(40, "warn", (i) => `advice ${i}: ${"consider doing this differently; ".repeat(12)}`),
  });
  const request = requestOf(createReview(upstream("general-purpose.yaml", "NodePool")));
  const decision = validateAdmission(request, context);
  assertWellFormed(decision.response, request);
  assert.equal(decision.response.allowed, true);
  const warnings = decision.response.warnings ?? [];
  const total = warnings.reduce((sum, w) => sum + [...w].length, 0);
  assert.ok(total <= 2048 && total < 4096, `${total}`);
  for (const w of warnings) assert.ok([...w].length <= 256);
  const more = /^and (\d+) more: run poolkeeper check$/.exec(warnings.at(-1) ?? "");
  assert.ok(more, warnings.at(-1));
  assert.equal(warnings.length - 1 + Number(more[1]), decision.warned.length);
  assert.equal(decision.warned.length, 42); // the 40 custom rules and the example's own two
  // A cut warning keeps its rule id, so the reader can look it up.
  assert.ok(warnings.slice(0, -1).every((w) => / \[[a-z0-9.-]+\]$/.test(w)));
  assert.ok(warnings.some((w) => w.includes("… [custom.rule-")));
});

test("warnings and messages carry no control characters, whatever the policy's text", () => {
  const context = admissionContext({
    spec: {
      customRules: [
        { id: "newline", expression: "false", message: "first line\nsecond line\ttabbed\u0007", enforcement: "warn" },
        { id: "denied", expression: "false", message: "deny\r\nwith CRLF", enforcement: "deny" },
      ],
    },
  });
  const request = requestOf(createReview(upstream("general-purpose.yaml", "NodePool")));
  const decision = validateAdmission(request, context);
  assertWellFormed(decision.response, request);
  assert.ok((decision.response.warnings ?? []).includes("first line second line tabbed  [custom.newline]"));
  assert.ok((decision.response.status?.message ?? "").includes("\n- deny  with CRLF [custom.denied]"));
});

test("dryRun: true gets the same decision", () => {
  const object = classWith({ tags: { "aws:team": "platform" } });
  for (const context of [baseline, admissionContext({ preset: "strict" })]) {
    const request = requestOf(createReview(object));
    const dry = { ...cloneJson(request), dryRun: true, options: { kind: "CreateOptions", dryRun: ["All"] } };
    const wet = validateAdmission(request, context);
    assert.deepEqual(validateAdmission(dry, context).response, wet.response);
    assert.deepEqual(mutateAdmission(dry, context).response, mutateAdmission(request, context).response);
  }
});

test("cross-object rules deny with a cluster view and warn without one", () => {
  const context = (cluster?: { nodePools: unknown[]; nodeClasses: unknown[] }) =>
    admissionContext({
      rules: { "limits.cluster-total": { enforcement: "deny", params: { cpu: 50 } } },
      ...(cluster ? { cluster } : {}),
    });
  const pool = upstream("100-cpu-limit.yaml", "NodePool");
  const request = requestOf(createReview(pool));
  const seen = validateAdmission(
    request,
    context({ nodePools: [], nodeClasses: [asStored(upstream("100-cpu-limit.yaml", "EC2NodeClass"))] }),
  );
  assert.equal(seen.response.allowed, false);
  assert.deepEqual(
    seen.denied.map((f) => f.rule),
    ["limits.cluster-total"],
  );

  const unseen = validateAdmission(request, context());
  assertWellFormed(unseen.response, request);
  assert.equal(unseen.response.allowed, true);
  const downgraded = unseen.warned.find((f) => f.rule === "limits.cluster-total");
  assert.equal(downgraded?.downgraded, "no-cluster-view");
  assert.equal(unseen.findings.find((f) => f.rule === "limits.cluster-total")?.severity, "deny");
  assert.ok(
    (unseen.response.warnings ?? []).some(
      (w) => w.startsWith("not checked against the cluster: spec.limits.cpu: ") && w.endsWith("[limits.cluster-total]"),
    ),
  );
});

test("a NodePool whose EC2NodeClass is not in the cluster is denied when the view is given", () => {
  const pool = upstream("general-purpose.yaml", "NodePool");
  const request = requestOf(createReview(pool));
  const other = asStored({ ...upstream("general-purpose.yaml", "EC2NodeClass"), metadata: { name: "defualt" } });
  const decision = validateAdmission(request, admissionContext({ cluster: { nodePools: [], nodeClasses: [other] } }));
  assert.equal(decision.response.allowed, false);
  assert.match(
    decision.response.status?.message ?? "",
    /nodeClassRef\.name: .*\(did you mean "defualt"\?\) \[references\.node-class\]/,
  );
  // The same class present: allowed.
  const present = asStored(upstream("general-purpose.yaml", "EC2NodeClass"));
  assert.equal(
    validateAdmission(request, admissionContext({ cluster: { nodePools: [], nodeClasses: [present] } })).response
      .allowed,
    true,
  );
});

test("other kinds, other groups, subresources and CONNECT pass untouched", () => {
  const broken = classWith({ tags: { "aws:team": "platform" } });
  const cases: AdmissionRequest[] = [
    {
      uid: "pod",
      kind: { group: "", version: "v1", kind: "Pod" },
      operation: "CREATE",
      object: { apiVersion: "v1", kind: "Pod", metadata: { name: "p" }, spec: {} },
    },
    {
      uid: "nodeclaim",
      kind: { group: "karpenter.sh", version: "v1", kind: "NodeClaim" },
      operation: "CREATE",
      object: { apiVersion: "karpenter.sh/v1", kind: "NodeClaim", metadata: { name: "c" }, spec: {} },
    },
    {
      uid: "other-group",
      kind: { group: "example.com", version: "v1", kind: "EC2NodeClass" },
      operation: "CREATE",
      object: { ...broken, apiVersion: "example.com/v1" },
    },
    {
      uid: "status",
      kind: { group: "karpenter.k8s.aws", version: "v1", kind: "EC2NodeClass" },
      subResource: "status",
      operation: "UPDATE",
      object: asStored(broken),
      oldObject: asStored(broken),
    },
    {
      uid: "scale",
      kind: { group: "autoscaling", version: "v1", kind: "Scale" },
      resource: { group: "karpenter.sh", version: "v1", resource: "nodepools" },
      subResource: "scale",
      operation: "UPDATE",
      object: { apiVersion: "autoscaling/v1", kind: "Scale", spec: { replicas: 3 } },
    },
    {
      uid: "connect",
      kind: { group: "karpenter.k8s.aws", version: "v1", kind: "EC2NodeClass" },
      operation: "CONNECT",
      object: null,
    },
  ];
  for (const request of cases) {
    for (const decide of [validateAdmission, mutateAdmission]) {
      const decision = decide(request, baseline);
      assert.deepEqual(decision.response, { uid: request.uid, allowed: true }, request.uid);
      assert.deepEqual(decision.findings, []);
    }
  }
});

test("an object that is not what the request says is refused as a bad request; a malformed one is judged", () => {
  const base = requestOf(createReview(upstream("general-purpose.yaml", "NodePool")));
  for (const object of [null, undefined, "NodePool", [1], { apiVersion: "v1", kind: "ConfigMap" }]) {
    const request = { ...base, object };
    const decision = validateAdmission(request, baseline);
    assertWellFormed(decision.response, request);
    assert.equal(decision.response.allowed, false);
    assert.equal(decision.response.status?.code, 400);
    assert.match(decision.response.status?.message ?? "", /^the request is for a NodePool but carries /);
    assert.deepEqual(mutateAdmission(request, baseline).response, { uid: base.uid, allowed: true });
  }
  const malformed = {
    ...base,
    object: { apiVersion: "karpenter.sh/v1", kind: "NodePool", metadata: { name: "x" }, spec: 5 },
  };
  const decision = validateAdmission(malformed, baseline);
  assertWellFormed(decision.response, malformed);
  assert.equal(decision.response.allowed, false);
  assert.equal(decision.response.status?.code, 403);
  assert.ok(decision.denied.some((f) => f.rule.startsWith("schema.")));
});

test("an object the API server has yet to name is labelled by its generateName", () => {
  const object = classWith({ tags: { "aws:x": "y" } });
  const unnamed = { ...object, metadata: { generateName: "class-" } };
  const request = { ...requestOf(createReview(unnamed)) };
  delete request.name;
  const decision = validateAdmission(request, baseline);
  assert.equal(decision.name, "");
  assert.match(
    decision.response.status?.message ?? "",
    /^EC2NodeClass \(generateName "class-"\) violates 1 poolkeeper policy rule:/,
  );
});
