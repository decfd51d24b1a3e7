// Webhook rule matching, ported from the API server's own tables: kubernetes
// staging/src/k8s.io/apiserver/pkg/admission/plugin/webhook/predicates/rules/rules_test.go (commit 1955210d8151),
// TestGroup, TestVersion, TestOperation, TestResource and TestScope. Upstream tests each part of Matcher alone; here
// the other parts of the rule are wildcards (resources `*/*`, so TestScope's subresources pass the resource check), so
// the table's case decides the match.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { matchesAnyRule, type RuleAttributes } from "../../../../sim/kube/admission/webhook-rules.ts";
import type { WebhookRule } from "../../../../sim/kube/admission/webhook-configuration.ts";

type Op = "CREATE" | "UPDATE" | "DELETE" | "CONNECT";

/** Upstream's a() and namespacedAttributes(): namespace "ns". */
const a = (group: string, version: string, resource: string, subresource: string, operation: Op): RuleAttributes => ({
  group,
  version,
  resource,
  subresource,
  operation,
  namespace: "ns",
});
/** Upstream's clusterScopedAttributes(): no namespace. */
const cluster = (
  group: string,
  version: string,
  resource: string,
  subresource: string,
  operation: Op,
): RuleAttributes => ({ ...a(group, version, resource, subresource, operation), namespace: "" });

const anyRule: WebhookRule = {
  operations: ["*"],
  apiGroups: ["*"],
  apiVersions: ["*"],
  resources: ["*/*"],
  scope: "*",
};

interface Case {
  rule: Partial<WebhookRule>;
  match: RuleAttributes[];
  noMatch: RuleAttributes[];
}

function check(table: Record<string, Case>): void {
  for (const [name, c] of Object.entries(table)) {
    const rule = { ...anyRule, ...c.rule };
    c.match.forEach((attributes, i) =>
      assert.equal(matchesAnyRule([rule], attributes), true, `${name}: match ${i} ${JSON.stringify(attributes)}`),
    );
    c.noMatch.forEach((attributes, i) =>
      assert.equal(matchesAnyRule([rule], attributes), false, `${name}: no match ${i} ${JSON.stringify(attributes)}`),
    );
  }
}

describe("webhook rules (rules_test.go)", () => {
  test("TestGroup", () =>
    check({
      wildcard: { rule: { apiGroups: ["*"] }, match: [a("g", "v", "r", "", "CREATE")], noMatch: [] },
      exact: {
        rule: { apiGroups: ["g1", "g2"] },
        match: [a("g1", "v", "r", "", "CREATE"), a("g2", "v2", "r3", "", "CREATE")],
        noMatch: [a("g3", "v", "r", "", "CREATE"), a("g4", "v", "r", "", "CREATE")],
      },
    }));

  test("TestVersion", () =>
    check({
      wildcard: { rule: { apiVersions: ["*"] }, match: [a("g", "v", "r", "", "CREATE")], noMatch: [] },
      exact: {
        rule: { apiVersions: ["v1", "v2"] },
        match: [a("g1", "v1", "r", "", "CREATE"), a("g2", "v2", "r", "", "CREATE")],
        noMatch: [a("g1", "v3", "r", "", "CREATE"), a("g2", "v4", "r", "", "CREATE")],
      },
    }));

  test("TestOperation", () => {
    const all: Op[] = ["CREATE", "UPDATE", "DELETE", "CONNECT"];
    const only = (ops: Op[]): Case => ({
      rule: { operations: ops },
      match: ops.map((op) => a("g", "v", "r", "", op)),
      noMatch: all.filter((op) => !ops.includes(op)).map((op) => a("g", "v", "r", "", op)),
    });
    check({
      wildcard: { rule: { operations: ["*"] }, match: all.map((op) => a("g", "v", "r", "", op)), noMatch: [] },
      create: only(["CREATE"]),
      update: only(["UPDATE"]),
      delete: only(["DELETE"]),
      connect: only(["CONNECT"]),
      multiple: only(["UPDATE", "DELETE"]),
    });
  });

  test("TestResource", () =>
    check({
      "no subresources": {
        rule: { resources: ["*"] },
        match: [a("g", "v", "r", "", "CREATE"), a("2", "v", "r2", "", "CREATE")],
        noMatch: [a("g", "v", "r", "exec", "CREATE"), a("2", "v", "r2", "proxy", "CREATE")],
      },
      "r & subresources": {
        rule: { resources: ["r/*"] },
        match: [a("g", "v", "r", "", "CREATE"), a("g", "v", "r", "exec", "CREATE")],
        noMatch: [a("2", "v", "r2", "", "CREATE"), a("2", "v", "r2", "proxy", "CREATE")],
      },
      "r & subresources or r2": {
        rule: { resources: ["r/*", "r2"] },
        match: [a("g", "v", "r", "", "CREATE"), a("g", "v", "r", "exec", "CREATE"), a("2", "v", "r2", "", "CREATE")],
        noMatch: [a("2", "v", "r2", "proxy", "CREATE")],
      },
      "proxy or exec": {
        rule: { resources: ["*/proxy", "*/exec"] },
        match: [
          a("g", "v", "r", "exec", "CREATE"),
          a("2", "v", "r2", "proxy", "CREATE"),
          a("2", "v", "r3", "proxy", "CREATE"),
        ],
        noMatch: [
          a("g", "v", "r", "", "CREATE"),
          a("2", "v", "r2", "", "CREATE"),
          a("2", "v", "r4", "scale", "CREATE"),
        ],
      },
    }));

  test("TestScope", () => {
    const namespaces = [
      cluster("", "v1", "namespaces", "", "CREATE"),
      cluster("", "v1", "namespaces", "finalize", "CREATE"),
      a("", "v1", "namespaces", "", "CREATE"),
      a("", "v1", "namespaces", "finalize", "CREATE"),
    ];
    const namespaced = [a("g", "v", "r", "", "CREATE"), a("g", "v", "r", "exec", "CREATE")];
    const clusterScoped = [cluster("g", "v", "r", "", "CREATE"), cluster("g", "v", "r", "exec", "CREATE")];
    check({
      "cluster scope": {
        rule: { scope: "Cluster" },
        match: [...clusterScoped, ...namespaces],
        noMatch: namespaced,
      },
      "namespace scope": {
        rule: { scope: "Namespaced" },
        match: namespaced,
        noMatch: [...namespaces, ...clusterScoped],
      },
      "all scopes": {
        rule: { scope: "*" },
        match: [...namespaced, ...clusterScoped, ...namespaces],
        noMatch: [],
      },
    });
  });
});
