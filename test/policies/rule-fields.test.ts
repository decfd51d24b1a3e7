// A rule that declares the fields it reads (RuleDefinition.fields) has its answers kept by their values across
// objects (policies/memoized-rule.ts), so a read outside them would let one object's answer stand for another's.
// Every rule runs on every manifest of the policy corpus and the upstream examples, with its default params and
// with each params the corpus's policies give it, through a proxy that records every field it touches; the test
// fails on a touch outside the declared fields. And every rule that reads neither the scope nor the time declares.
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { parse } from "yaml";
import { loadManifests } from "../../api/index.ts";
import { defaultCatalog } from "../../cloudprovider/index.ts";
import { memoizedByFields } from "../../policies/memoized-rule.ts";
import { prepareTarget } from "../../policies/prepare-target.ts";
import type { AnyRule, RuleContext } from "../../policies/rule.ts";
import { ruleDefinitions } from "../../policies/rules/index.ts";
import { typedTarget, type PolicyTarget, type PreparedTarget, type Scope } from "../../policies/target.ts";
import { fixturesDir } from "../support/fixtures.ts";

const now = new Date("2026-11-25T10:00:00Z");

function targetsOf(dir: string): PreparedTarget[][] {
  return readdirSync(dir)
    .filter((f) => f.endsWith(".yaml"))
    .map((f) =>
      loadManifests(readFileSync(join(dir, f), "utf8"), f)
        .manifests.map((manifest) => prepareTarget({ manifest }))
        .filter((t): t is PreparedTarget => t !== undefined),
    );
}

/** Each rule's params as the corpus's policies set them (merged over the defaults, as a policy does). */
function corpusParams(rule: AnyRule): unknown[] {
  const dir = join(fixturesDir, "policy", "policies");
  const out: unknown[] = [rule.params?.defaults ?? {}];
  for (const file of readdirSync(dir).filter((f) => f.endsWith(".yaml"))) {
    const policy = parse(readFileSync(join(dir, file), "utf8")) as {
      spec?: { rules?: Record<string, { params?: Record<string, unknown> }> };
    };
    const params = policy.spec?.rules?.[rule.id]?.params;
    if (params) out.push({ ...(rule.params?.defaults ?? {}), ...params });
  }
  return out;
}

type Touch = { path: string[]; how: "read" | "keys" };

// The target as a proxy that records the path of every field read and every listing of keys. The typed view is
// the same object as `object`, so it is recorded as `object`.
function recording(target: PolicyTarget, touches: Touch[]): PolicyTarget {
  const proxies = new WeakMap<object, object>();
  const wrap = (value: unknown, path: string[]): unknown => {
    if (typeof value !== "object" || value === null) return value;
    const known = proxies.get(value);
    if (known) return known;
    const proxy = new Proxy(value, {
      get(object, property, receiver) {
        const result: unknown = Reflect.get(object, property, receiver);
        // A symbol (an iterator) or a method reads the value it is called on, not a field.
        if (typeof property === "symbol" || (typeof result === "function" && Array.isArray(object))) {
          touches.push({ path, how: "keys" });
          return result;
        }
        const root = path.length === 0 && (property === "nodePool" || property === "nodeClass") ? "object" : property;
        const at = [...path, root];
        touches.push({ path: at, how: "read" });
        const descriptor = Reflect.getOwnPropertyDescriptor(object, property);
        if (descriptor && !descriptor.configurable && !descriptor.writable) return result;
        return wrap(result, at);
      },
      has(object, property) {
        if (typeof property === "string") touches.push({ path: [...path, property], how: "read" });
        return Reflect.has(object, property);
      },
      ownKeys(object) {
        touches.push({ path, how: "keys" });
        return Reflect.ownKeys(object);
      },
    });
    proxies.set(value, proxy);
    return proxy;
  };
  return wrap(target, []) as PolicyTarget;
}

const startsWith = (path: readonly string[], prefix: readonly string[]) => prefix.every((s, i) => path[i] === s);

// Reading down to a declared field is fine (`object`, `object.spec`); listing a map's keys on the way is not (it
// tells the other fields apart); anything inside a declared field is. `kind` is part of every key.
function allowed(touch: Touch, fields: readonly (readonly string[])[]): boolean {
  if (touch.path.length === 1 && touch.path[0] === "kind") return true;
  if (fields.some((field) => startsWith(touch.path, field))) return true;
  return touch.how === "read" && fields.some((field) => startsWith(field, touch.path));
}

describe("rules' declared fields", () => {
  it("every rule that reads neither the scope nor the time declares the fields it reads", () => {
    const undeclared = ruleDefinitions
      .filter((r) => r.fields === undefined && (r.reads ?? []).length === 0)
      .map((r) => r.id);
    // change-impact.nodepool-drift compares the whole object with its previous version: keyed by both it would
    // miss on every UPDATE, so it keeps the engine's answer per target only.
    assert.deepEqual(undeclared, ["change-impact.nodepool-drift"]);
  });

  it("no rule reads a field it does not declare", () => {
    const bundles = [...targetsOf(join(fixturesDir, "policy")), ...targetsOf(join(fixturesDir, "upstream"))];
    assert.ok(bundles.flat().length > 50);
    const catalog = defaultCatalog();
    const outside = new Set<string>();
    let checked = 0;
    for (const rule of ruleDefinitions) {
      if (rule.fields === undefined) continue;
      for (const params of corpusParams(rule)) {
        for (const targets of bundles) {
          const scope: Scope = {
            nodePools: targets.filter((t) => t.kind === "NodePool"),
            nodeClasses: targets.filter((t) => t.kind === "EC2NodeClass"),
            covers: () => true,
          };
          for (const target of targets) {
            if (!rule.kinds.includes(target.kind as never)) continue;
            const judged = rule.view === "typed" ? typedTarget(target) : target;
            if (judged === undefined) continue;
            const touches: Touch[] = [];
            try {
              rule.check(recording(judged, touches) as never, { params, catalog, scope, now } as never);
            } catch {
              // a failing check is the engine's rule-error finding; what it read before failing still counts
            }
            checked++;
            for (const touch of touches) {
              if (!allowed(touch, rule.fields)) outside.add(`${rule.id} ${touch.how} ${touch.path.join(".")}`);
            }
          }
        }
      }
    }
    assert.ok(checked > 1000);
    assert.deepEqual([...outside].sort(), []);
  });

  it("a memoized rule answers from its cache only for the same values of its fields", () => {
    let calls = 0;
    const rule = memoizedByFields({
      id: "test.user-data",
      family: "test",
      title: "",
      docs: "",
      kinds: ["EC2NodeClass"],
      enforcement: { baseline: "warn", strict: "warn" },
      view: "raw",
      fields: [["object", "spec", "userData"]],
      check(target) {
        calls++;
        const spec = target.object.spec as { userData?: string };
        return spec.userData === "secret" ? [{ path: ["spec", "userData"], message: "secret" }] : [];
      },
    });
    const nodeClass = (name: string, userData: string) =>
      prepareTarget({
        object: {
          apiVersion: "karpenter.k8s.aws/v1",
          kind: "EC2NodeClass",
          metadata: { name },
          spec: {
            role: "KarpenterNodeRole",
            amiSelectorTerms: [{ alias: "al2023@latest" }],
            userData,
            subnetSelectorTerms: [{ id: "subnet-1" }],
            securityGroupSelectorTerms: [{ id: "sg-1" }],
          },
        },
      }) as PreparedTarget;
    const context = { params: {}, catalog: defaultCatalog(), now } as unknown as RuleContext<unknown>;
    const check = rule.check as (t: PolicyTarget, c: RuleContext<unknown>) => unknown;
    const a = nodeClass("a", "secret");
    assert.deepEqual(a.validation, []);
    assert.equal((check(a, context) as unknown[]).length, 1);
    assert.equal((check(nodeClass("b", "secret"), context) as unknown[]).length, 1);
    assert.equal(calls, 1, "another object with the same user data is answered from the cache");
    assert.deepEqual(check(nodeClass("c", "plain"), context), []);
    assert.equal(calls, 2, "other user data is judged");
    const otherParams = { ...context, params: { other: true } } as RuleContext<unknown>;
    check(nodeClass("d", "secret"), otherParams);
    assert.equal(calls, 3, "other params are judged");
    // A second rule reading the same field set shares the field set's number, not the first rule's answers.
    const shout = memoizedByFields({
      id: "test.user-data-shout",
      family: "test",
      title: "",
      docs: "",
      kinds: ["EC2NodeClass"],
      enforcement: { baseline: "warn", strict: "warn" },
      view: "raw",
      fields: [["object", "spec", "userData"]],
      check: () => [{ path: ["spec"], message: "shout" }],
    });
    const shoutCheck = shout.check as (t: PolicyTarget, c: RuleContext<unknown>) => { message: string }[];
    assert.deepEqual(
      shoutCheck(a, context).map((v) => v.message),
      ["shout"],
    );
    assert.deepEqual(check(nodeClass("e", "plain"), context), []);
    assert.equal(calls, 3, "the first rule's answer for plain user data stays its own");
  });

  it("a rule that reads a field both defaulted and as written is kept apart by the written value", () => {
    // The key of a prepared target holds the written field's value for both (memoized-rule.ts): two pools whose
    // defaulted disruption is the same but which wrote it differently must not share an answer built from what
    // they wrote (a patch).
    let calls = 0;
    const rule = memoizedByFields({
      id: "test.disruption-written",
      family: "test",
      title: "",
      docs: "",
      kinds: ["NodePool"],
      enforcement: { baseline: "warn", strict: "warn" },
      view: "raw",
      fields: [
        ["object", "spec", "disruption"],
        ["written", "spec", "disruption"],
      ],
      check(target) {
        calls++;
        const written = (target.written.spec as { disruption?: unknown }).disruption;
        return [{ path: ["spec", "disruption"], message: written === undefined ? "defaulted" : "written" }];
      },
    });
    const nodePool = (name: string, disruption?: unknown) =>
      prepareTarget({
        object: {
          apiVersion: "karpenter.sh/v1",
          kind: "NodePool",
          metadata: { name },
          spec: {
            template: {
              spec: {
                nodeClassRef: { group: "karpenter.k8s.aws", kind: "EC2NodeClass", name: "default" },
                requirements: [],
              },
            },
            ...(disruption === undefined ? {} : { disruption }),
          },
        },
      }) as PreparedTarget;
    // The NodePool CRD's defaults for spec.disruption (api/crds/karpenter.sh_nodepools.yaml), written out in the order
    // they are applied, so that even the defaulted objects' JSON texts are equal.
    const crdDefaults = {
      consolidateAfter: "0s",
      budgets: [{ nodes: "10%" }],
      consolidationPolicy: "WhenEmptyOrUnderutilized",
    };
    const messages = (target: PreparedTarget) =>
      (rule.check as (t: PolicyTarget, c: RuleContext<unknown>) => { message: string }[])(target, context).map(
        (v) => v.message,
      );
    const context = { params: {}, catalog: defaultCatalog(), now } as unknown as RuleContext<unknown>;
    const left = nodePool("left-out");
    const spelled = nodePool("spelled-out", crdDefaults);
    assert.deepEqual(left.validation, []);
    assert.deepEqual(spelled.validation, []);
    assert.equal(JSON.stringify(left.object.spec), JSON.stringify(spelled.object.spec), "the same pool once defaulted");
    assert.deepEqual(messages(left), ["defaulted"]);
    assert.deepEqual(messages(spelled), ["written"]);
    assert.equal(calls, 2);
    assert.deepEqual(messages(nodePool("spelled-out-too", structuredClone(crdDefaults))), ["written"]);
    assert.deepEqual(messages(nodePool("left-out-too")), ["defaulted"]);
    assert.equal(calls, 2, "pools that wrote the same are answered from the cache");
  });
});
