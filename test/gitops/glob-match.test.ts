// The remembered glob answers are Node's own: every path of a pool repository's shapes against the default and
// custom globs gives what `path.matchesGlob` gives (the oracle), asked twice (the second time from the memo).
import assert from "node:assert/strict";
import { posix } from "node:path";
import { it } from "node:test";
import { configDefaults } from "../../gitops/config.ts";
import { matchesAnyGlob } from "../../gitops/glob-match.ts";

const paths = [
  "poolkeeper.yaml",
  "pools/default.yaml",
  "pools/default.yml",
  "pools/teams/a/gpu.yaml",
  "pools/README.md",
  "pools.yaml",
  "policies/strict.yaml",
  "policies/nested/team.yaml",
  "other/pools/x.yaml",
  ".hidden/pools/x.yaml",
  "pools/.hidden.yaml",
];
const globSets = [
  [...configDefaults.pools],
  [...configDefaults.policies],
  ["poolkeeper.yaml"],
  ["pools/*.yaml", "**/gpu.*"],
];

it("answers as path.matchesGlob does, from the memo too", () => {
  let matched = 0;
  for (let round = 0; round < 2; round++) {
    for (const globs of globSets) {
      for (const path of paths) {
        const expected = globs.some((glob) => posix.matchesGlob(path, glob));
        assert.equal(matchesAnyGlob(path, globs), expected, `${path} against ${globs.join(", ")}`);
        if (expected) matched++;
      }
    }
  }
  assert.ok(matched > 0 && matched < 2 * paths.length * globSets.length, "some paths match and some do not");
});
