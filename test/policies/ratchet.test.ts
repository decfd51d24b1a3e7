// The ratchet rule, case by case. Expected outcomes are KEP-4008's (CRD validation ratcheting): an error is
// excused only where the old and new values at its path are deep-equal, and a path the old object lacks is new;
// plus poolkeeper's own condition that the previous version had the very same denial.
import { test } from "node:test";
import assert from "node:assert/strict";
import { cloneJson } from "../../api/index.ts";
import type { Finding } from "../../policies/finding.ts";
import { preExistingWarning } from "../../policies/ratchet.ts";
import { ratchet, ratchetBundle } from "../../policies/index.ts";

type Json = Record<string, unknown>;

const nodeClass: Json = {
  apiVersion: "karpenter.k8s.aws/v1",
  kind: "EC2NodeClass",
  metadata: { name: "default" },
  spec: {
    role: "KarpenterNodeRole-demo",
    amiSelectorTerms: [{ alias: "al2023@v20250117" }],
    subnetSelectorTerms: [{ tags: { "karpenter.sh/discovery": "demo" } }],
    securityGroupSelectorTerms: [{ tags: { "karpenter.sh/discovery": "demo" } }],
    tags: { "aws:team": "platform", "a/b~c": "x" },
    blockDeviceMappings: [{ deviceName: "/dev/xvda", ebs: { volumeSize: "20Gi", volumeType: "gp2" } }],
  },
};

function finding(pointer: string, extra: Partial<Finding> = {}): Finding {
  return {
    rule: "test.rule",
    severity: "deny",
    object: { apiVersion: "karpenter.k8s.aws/v1", kind: "EC2NodeClass", name: "default" },
    pointer,
    message: `something is wrong at ${pointer}`,
    ...extra,
  };
}

function changed(edit: (spec: Json) => void): Json {
  const copy = cloneJson(nodeClass);
  edit(copy.spec as Json);
  return copy;
}

/** The severities `ratchet` leaves, for `current` findings on `object` updated from `previous`. */
function ratcheted(current: Finding[], previousFindings: Finding[], object: Json, previous: Json = nodeClass) {
  return ratchet(current, previousFindings, { object, previous }).map((f) => f.severity);
}

const retagged = changed((spec) => {
  spec.userData = "echo hello";
});

test("a denial at a value the update leaves alone, which the previous version had too, becomes a warning", () => {
  const tag = finding("/spec/tags/aws:team");
  const [out] = ratchet([tag], [tag], { object: retagged, previous: nodeClass });
  assert.deepEqual(out, preExistingWarning(tag));
  assert.equal(out?.severity, "warn");
  assert.match(out?.message ?? "", /^pre-existing, unchanged since the previous version: something is wrong/);
});

test("a changed value is the change's own, whichever way it moved", () => {
  const volume = finding("/spec/blockDeviceMappings/0/ebs/volumeType");
  for (const type of ["io1", "standard"]) {
    const object = changed((spec) => {
      ((spec.blockDeviceMappings as Json[])[0]?.ebs as Json).volumeType = type;
    });
    assert.deepEqual(ratcheted([volume], [volume], object), ["deny"]);
  }
  // A whole subtree counts: a change below the finding's field changes its value.
  const mapping = finding("/spec/blockDeviceMappings/0");
  const resized = changed((spec) => {
    ((spec.blockDeviceMappings as Json[])[0]?.ebs as Json).volumeSize = "40Gi";
  });
  assert.deepEqual(ratcheted([mapping], [mapping], resized), ["deny"]);
});

test("a path the previous version lacks is new, and so is a value the update removes", () => {
  const tag = finding("/spec/tags/team");
  const added = changed((spec) => {
    spec.tags = { ...(spec.tags as Json), team: "x" };
  });
  assert.deepEqual(ratcheted([tag], [tag], added), ["deny"]);
  // Missing on both sides (a finding about an absent field): not resolvable in the old object, so new.
  const absent = finding("/spec/kubelet/maxPods");
  assert.deepEqual(ratcheted([absent], [absent], retagged), ["deny"]);
  const removed = changed((spec) => {
    delete (spec.tags as Json)["aws:team"];
  });
  const gone = finding("/spec/tags/aws:team");
  assert.deepEqual(ratcheted([gone], [gone], removed), ["deny"]);
});

test("the previous version must have had the same denial: rule, field, message and severity", () => {
  const tag = finding("/spec/tags/aws:team");
  assert.deepEqual(ratcheted([tag], [], retagged), ["deny"]);
  assert.deepEqual(ratcheted([tag], [{ ...tag, rule: "test.other" }], retagged), ["deny"]);
  assert.deepEqual(ratcheted([tag], [{ ...tag, pointer: "/spec/tags" }], retagged), ["deny"]);
  assert.deepEqual(ratcheted([tag], [{ ...tag, message: "a milder verdict" }], retagged), ["deny"]);
  assert.deepEqual(ratcheted([tag], [{ ...tag, severity: "audit", exemptedBy: "p: until fixed" }], retagged), ["deny"]);
});

test("only denials are ratcheted; warnings and audit records pass as they are", () => {
  const warn = finding("/spec/tags/aws:team", { severity: "warn" });
  const audit = finding("/spec/tags/aws:team", { severity: "audit" });
  assert.deepEqual(ratchet([warn, audit], [warn, audit], { object: retagged, previous: nodeClass }), [warn, audit]);
});

test("pointers are RFC 6901: escapes decode, list indexes are canonical, inherited members are not values", () => {
  const escaped = finding("/spec/tags/a~1b~0c");
  assert.deepEqual(ratcheted([escaped], [escaped], retagged), ["warn"]);
  const leadingZero = finding("/spec/blockDeviceMappings/00");
  assert.deepEqual(ratcheted([leadingZero], [leadingZero], retagged), ["deny"]);
  const pastTheEnd = finding("/spec/blockDeviceMappings/1");
  assert.deepEqual(ratcheted([pastTheEnd], [pastTheEnd], retagged), ["deny"]);
  // `constructor` is on every object's prototype, in neither version's data.
  const inherited = finding("/spec/tags/constructor");
  assert.deepEqual(ratcheted([inherited], [inherited], retagged), ["deny"]);
});

test("a finding on the whole object is ratcheted only when nothing changed", () => {
  const whole = finding("");
  assert.deepEqual(ratcheted([whole], [whole], retagged), ["deny"]);
  assert.deepEqual(ratcheted([whole], [whole], cloneJson(nodeClass)), ["warn"]);
});

test("values are compared as the engine judged them: v1 with the CRD's defaults", () => {
  // Neither version writes metadataOptions; the CRD defaults httpEndpoint to "enabled" in both.
  const defaulted = finding("/spec/metadataOptions/httpEndpoint");
  assert.deepEqual(ratcheted([defaulted], [defaulted], retagged), ["warn"]);
  const disabled = changed((spec) => {
    spec.metadataOptions = { httpEndpoint: "disabled" };
  });
  assert.deepEqual(ratcheted([defaulted], [defaulted], disabled), ["deny"]);
});

test("without a previous version nothing is ratcheted", () => {
  const tag = finding("/spec/tags/aws:team");
  assert.deepEqual(ratchet([tag], [tag], { object: retagged }), [tag]);
});

test("a bundle ratchets object by object, and judges the previous bundle only when a denial could be pre-existing", () => {
  const renamed = (object: Json, name: string) => ({ ...cloneJson(object), metadata: { name } });
  const named = (name: string, f: Finding): Finding => ({ ...f, object: { ...f.object, name } });
  const tag = finding("/spec/tags/aws:team");
  const objects = [
    { object: renamed(retagged, "kept"), previous: renamed(nodeClass, "kept") },
    { object: renamed(retagged, "new") },
  ];
  let judged = 0;
  const previousFindings = () => {
    judged++;
    return [named("kept", tag), named("new", tag)];
  };
  const out = ratchetBundle([named("kept", tag), named("new", tag)], objects, previousFindings);
  assert.deepEqual(
    out.map((f) => [f.object.name, f.severity]),
    [
      ["kept", "warn"],
      ["new", "deny"],
    ],
  );
  assert.equal(judged, 1);
  // Nothing denied, or denials only on objects without a previous version: the previous bundle is not judged.
  ratchetBundle([named("kept", { ...tag, severity: "warn" })], objects, previousFindings);
  ratchetBundle([named("new", tag)], objects, previousFindings);
  assert.equal(judged, 1);
});
