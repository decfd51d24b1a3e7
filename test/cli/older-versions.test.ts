// Older API versions as check and validate report them: Karpenter 1.1 and later serve only v1, so a v1beta1
// object is denied once (api.deprecated-version), validate says the API server would not accept it, and the JSON
// report contains the converted object the hints point at.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseAllDocuments } from "yaml";
import { main } from "../../cli/main.ts";
import { capturedOutput } from "../../cli/output.ts";
import { fixturesDir } from "../support/fixtures.ts";

const run = async (...argv: string[]) => {
  const out = capturedOutput();
  const code = await main(argv, out);
  return { code, out: out.out, err: out.err };
};

const legacy = join(fixturesDir, "legacy");
const nodeClass = join(legacy, "v1beta1-ec2nodeclass.yaml");

interface Report {
  findings: {
    rule: string;
    severity: string;
    message: string;
    hint?: string;
    object: { kind: string; name: string };
  }[];
  converted?: { kind: string; name: string; apiVersion: string; line: number; object: unknown }[];
}

test("a v1beta1 EC2NodeClass is denied once, and --format json holds the converted object", async () => {
  const { code, out } = await run("check", nodeClass, "--format", "json");
  assert.equal(code, 1);
  const report = JSON.parse(out) as Report;
  const deprecated = report.findings.filter((f) => f.rule === "api.deprecated-version");
  assert.deepEqual(
    deprecated.map((f) => [f.severity, f.object.kind, f.object.name]),
    [["deny", "EC2NodeClass", "default"]],
  );
  // The way out is named: fix rewrites it in place.
  assert.match(deprecated[0]?.message ?? "", /; `poolkeeper fix` rewrites it$/);
  assert.match(
    deprecated[0]?.hint ?? "",
    /^run `poolkeeper fix` to rewrite it as karpenter\.k8s\.aws\/v1 EC2NodeClass in place/,
  );
  // The converted object equals the conversion oracle written for this fixture (expected/, from Karpenter's own
  // v1 conversion rules).
  const expected = parseAllDocuments(readFileSync(join(legacy, "expected", "v1beta1-ec2nodeclass.yaml"), "utf8"))
    .map((d) => d.toJS() as unknown)
    .filter((d) => d !== null);
  assert.equal(report.converted?.length, 1);
  assert.equal(report.converted?.[0]?.apiVersion, "karpenter.k8s.aws/v1beta1");
  assert.deepEqual(report.converted?.[0]?.object, expected[0]);
});

test("a v1 object has no `converted` entry", async () => {
  const { out } = await run("check", join(fixturesDir, "upstream", "general-purpose.yaml"), "--format", "json");
  assert.equal((JSON.parse(out) as Report).converted, undefined);
});

test("a policy may lower it to warn, where poolkeeper applies the converted objects itself", async () => {
  const dir = mkdtempSync(join(tmpdir(), "poolkeeper-older-"));
  const policy = join(dir, "policy.yaml");
  writeFileSync(
    policy,
    "apiVersion: poolkeeper.dev/v1alpha1\nkind: PoolPolicy\nmetadata: {name: gitops-converts}\nspec:\n  rules:\n    api.deprecated-version: {enforcement: warn}\n",
  );
  const { code, out } = await run("check", nodeClass, "--policy", policy, "--format", "json");
  const report = JSON.parse(out) as Report;
  assert.deepEqual(
    report.findings.filter((f) => f.rule === "api.deprecated-version").map((f) => f.severity),
    ["warn"],
  );
  assert.equal(code, 0, out);
});

test("validate says the API server would not accept the version", async () => {
  const { code, out } = await run("validate", nodeClass);
  assert.equal(code, 1);
  assert.match(
    out,
    /v1beta1-ec2nodeclass\.yaml:3:1: error: .*no matches for kind "EC2NodeClass" in version "karpenter\.k8s\.aws\/v1beta1"/,
  );
});

test("findings on values the converter injected: once each, at the field they were written as", async () => {
  const { out } = await run("check", nodeClass, "--format", "json");
  const report = JSON.parse(out) as {
    findings: { rule: string; pointer: string; message: string; source?: { line: number; col: number } }[];
  };
  const lines = readFileSync(nodeClass, "utf8").split("\n");
  const lineOf = (text: string) => lines.findIndex((l) => l.startsWith(text)) + 1;
  const at = (rule: string, pointer: string) =>
    report.findings.filter((f) => f.rule === rule && f.pointer === pointer).map((f) => f.source?.line);
  // The alias made of `amiFamily: AL2023` is judged once, at amiFamily's line, with the conversion's words.
  assert.deepEqual(at("ami.unpinned-alias", "/spec/amiSelectorTerms/0/alias"), [lineOf("  amiFamily: AL2023")]);
  assert.deepEqual(at("schema.older-shape", "/spec/amiFamily"), []);
  // The old IMDS defaults the conversion writes (no line of their own) are reported once, not also as a note.
  assert.equal(at("imds.hop-limit", "/spec/metadataOptions/httpPutResponseHopLimit").length, 1);
  assert.deepEqual(at("schema.older-shape", "/spec/metadataOptions"), []);
  const hopLimit = report.findings.find((f) => f.rule === "imds.hop-limit");
  assert.match(
    hopLimit?.message ?? "",
    /\(Converted from karpenter\.k8s\.aws\/v1beta1: Set metadataOptions to the old defaults/,
  );
  // Nothing else is left pointing at `spec:` alone.
  assert.deepEqual(
    report.findings.filter((f) => f.source?.line === lineOf("spec:")).map((f) => f.rule),
    ["imds.hop-limit"],
  );
});
