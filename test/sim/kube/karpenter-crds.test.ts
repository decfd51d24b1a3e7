// The CRDs the simulated cluster pre-installs are the upstream files in api/crds/: the generated module is
// current, and each stored CustomResourceDefinition (schema put back from api/) equals its file.
import assert from "node:assert/strict";
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { parse } from "yaml";
import { simCrdData } from "../../../scripts/generate-sim-crds.ts";
import { karpenterCrds } from "../../../sim/kube/kinds/generated/karpenter-crds.ts";
import { initialObjects } from "../../../sim/index.ts";
import { projectRoot } from "../../support/fixtures.ts";

test("the generated module holds the CRDs of api/crds/ (run `npm run generate` when this fails)", () => {
  assert.deepEqual(karpenterCrds, simCrdData());
});

test("each pre-installed CRD is its upstream file, with an Established status", () => {
  const dir = join(projectRoot, "api", "crds");
  const files = readdirSync(dir).filter((f) => f.endsWith(".yaml"));
  const installed = initialObjects()
    .filter((o) => o.resource[2] === "customresourcedefinitions")
    .map((o) => o.object);
  assert.equal(installed.length, files.length);
  for (const file of files) {
    const upstream = parse(readFileSync(join(dir, file), "utf8")) as { metadata: { name: string } };
    const object = installed.find((o) => o.metadata?.name === upstream.metadata.name);
    assert.ok(object, file);
    const { status, ...rest } = object;
    assert.deepEqual(rest, upstream, file);
    const conditions = (status as { conditions: { type: string; status: string }[] }).conditions;
    assert.ok(conditions.some((c) => c.type === "Established" && c.status === "True"));
  }
});
