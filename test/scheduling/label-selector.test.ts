// metav1.LabelSelector as Kubernetes reads it (k8s.io/apimachinery `LabelSelectorAsSelector`, and the API reference:
// "An empty label selector matches all objects. A null label selector matches no objects."; matchLabels and
// matchExpressions are ANDed; NotIn and DoesNotExist hold for an object without the key). One implementation for
// topology spread, pod affinity and PodDisruptionBudgets; a malformed selector is an error naming its field.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { ValueError } from "../../api/index.ts";
import { labelSelector } from "../../scheduling/index.ts";

const web = { app: "web", tier: "front" };
const noTier = { app: "web" };

describe("labelSelector", () => {
  test("null selects nothing, {} everything", () => {
    assert.equal(labelSelector(undefined, "spec.selector").matches(web), false);
    assert.equal(labelSelector(null, "spec.selector").matches(web), false);
    assert.equal(labelSelector({}, "spec.selector").matches({}), true);
  });

  test("matchLabels and matchExpressions are ANDed", () => {
    const s = labelSelector(
      { matchLabels: { app: "web" }, matchExpressions: [{ key: "tier", operator: "In", values: ["front"] }] },
      "spec.selector",
    );
    assert.equal(s.matches(web), true);
    assert.equal(s.matches({ app: "web", tier: "back" }), false);
    assert.equal(s.matches({ app: "api", tier: "front" }), false);
  });

  test("NotIn and DoesNotExist hold without the key; Exists and In need it", () => {
    const of = (operator: string, values?: string[]) =>
      labelSelector({ matchExpressions: [{ key: "tier", operator, ...(values ? { values } : {}) }] }, "s");
    assert.equal(of("NotIn", ["back"]).matches(noTier), true);
    assert.equal(of("NotIn", ["front"]).matches(web), false);
    assert.equal(of("DoesNotExist").matches(noTier), true);
    assert.equal(of("DoesNotExist").matches(web), false);
    assert.equal(of("Exists").matches(noTier), false);
    assert.equal(of("In", ["front"]).matches(noTier), false);
  });

  test("equal selectors have one canonical form, whatever the order", () => {
    const a = labelSelector({ matchLabels: { a: "1", b: "2" } }, "s");
    const b = labelSelector(
      { matchExpressions: [{ key: "b", operator: "In", values: ["2"] }], matchLabels: { a: "1" } },
      "s",
    );
    assert.equal(a.canonical, b.canonical);
  });

  test("a malformed selector is an error naming the field", () => {
    assert.throws(
      () =>
        labelSelector(
          { matchExpressions: [{ key: "tier", operator: "Gt", values: ["1"] }] },
          "PodDisruptionBudget default/web spec.selector",
        ),
      (error: unknown) =>
        error instanceof ValueError &&
        error.message ===
          'PodDisruptionBudget default/web spec.selector.matchExpressions[0].operator: "Gt" is not In, NotIn, Exists or DoesNotExist',
    );
    assert.throws(() => labelSelector({ matchLabels: { app: 1 } }, "s"), /s\.matchLabels\.app: expected a string/);
  });
});
