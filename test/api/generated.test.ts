import { test } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { generate } from "../../scripts/generate-api.ts";
import { projectRoot } from "../support/fixtures.ts";

test("api/generated is current with api/crds (run `npm run generate` after a CRD upgrade)", () => {
  for (const [name, text] of Object.entries(generate())) {
    const onDisk = readFileSync(join(projectRoot, "api", "generated", name), "utf8");
    assert.equal(onDisk, text, `api/generated/${name} is stale`);
  }
});

test("the CRDs are the upstream bytes recorded in api/crds/SOURCE.md", () => {
  const source = readFileSync(join(projectRoot, "api", "crds", "SOURCE.md"), "utf8");
  for (const file of [
    "karpenter.k8s.aws_ec2nodeclasses.yaml",
    "karpenter.sh_nodeclaims.yaml",
    "karpenter.sh_nodepools.yaml",
  ]) {
    const digest = createHash("sha256")
      .update(readFileSync(join(projectRoot, "api", "crds", file)))
      .digest("hex");
    assert.ok(source.includes(`${digest}  crds/${file}`), `${file} differs from the recorded upstream checksum`);
  }
});
