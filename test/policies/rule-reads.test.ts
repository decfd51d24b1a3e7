// The engine keeps the answers of rules that read only the object, their params and the catalog; a rule that also
// reads the scope or the time must say so (`reads`), or a stale answer would be reused. Every built-in rule runs
// on every manifest of the policy corpus and the upstream examples with a context that records what it reads.
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { it } from "node:test";
import { loadManifests } from "../../api/index.ts";
import { defaultCatalog } from "../../cloudprovider/index.ts";
import { prepareTarget } from "../../policies/prepare-target.ts";
import { builtinRules } from "../../policies/rules/index.ts";
import { typedTarget, type PreparedTarget, type Scope } from "../../policies/target.ts";
import { fixturesDir } from "../support/fixtures.ts";

function targetsOf(dir: string): PreparedTarget[][] {
  return readdirSync(dir)
    .filter((f) => f.endsWith(".yaml"))
    .map((f) =>
      loadManifests(readFileSync(join(dir, f), "utf8"), f)
        .manifests.map((manifest) => prepareTarget({ manifest }))
        .filter((t): t is PreparedTarget => t !== undefined),
    );
}

it("every rule that reads the scope or the time declares it", () => {
  const bundles = [...targetsOf(join(fixturesDir, "policy")), ...targetsOf(join(fixturesDir, "upstream"))];
  assert.ok(bundles.flat().length > 50);
  const catalog = defaultCatalog();
  const undeclared = new Set<string>();
  for (const rule of builtinRules) {
    const params = rule.params?.defaults ?? {};
    for (const targets of bundles) {
      const scope: Scope = {
        nodePools: targets.filter((t) => t.kind === "NodePool"),
        nodeClasses: targets.filter((t) => t.kind === "EC2NodeClass"),
        covers: () => true,
      };
      for (const target of targets) {
        if (!rule.kinds.includes(target.kind as never)) continue;
        // As the engine: a rule that reads the typed view runs only on valid objects.
        const judged = rule.view === "typed" ? typedTarget(target) : target;
        if (judged === undefined) continue;
        const read = new Set<string>();
        const context = {
          params,
          catalog,
          get scope() {
            read.add("scope");
            return scope;
          },
          get now() {
            read.add("now");
            return new Date("2026-11-25T10:00:00Z");
          },
        };
        try {
          rule.check(judged as never, context);
        } catch {
          // a failing check is the engine's rule-error finding; what it read before failing still counts
        }
        for (const what of read) {
          if (!(rule.reads as readonly string[] | undefined)?.includes(what))
            undeclared.add(`${rule.id} reads ${what}`);
        }
      }
    }
  }
  assert.deepEqual([...undeclared].sort(), []);
});

// Without a key, an object judged by such a rule is judged again at every commit (policies/findings-cache.ts):
// correct, but the gate's incremental judging would quietly stop being incremental.
it("every rule that reads the scope or the time says what of it its answer depends on", () => {
  const missing = builtinRules.flatMap((rule) => [
    ...(rule.reads?.includes("scope") && rule.scopeKey === undefined ? [`${rule.id}: scopeKey`] : []),
    ...(rule.reads?.includes("now") && rule.timeKey === undefined ? [`${rule.id}: timeKey`] : []),
  ]);
  assert.deepEqual(missing, []);
});
