// pods/eviction in process, case by case against kubernetes pkg/registry/core/pod/storage/eviction.go
// (EvictionREST.Create, canIgnorePDB, checkAndDecrement, getPodDisruptionBudgets): the status codes, reasons,
// messages and causes it answers with, and what it writes to the budget.
import assert from "node:assert/strict";
import { beforeEach, describe, test } from "node:test";
import { ApiError, type KubeObject, type ObjectStore } from "../../../sim/index.ts";
import { kindOf, startTestWorld, type TestWorld } from "../../support/sim-world.ts";

let world: TestWorld;
let store: ObjectStore;
const pods = () => kindOf(store, "", "v1", "pods");
const pdbs = () => kindOf(store, "policy", "v1", "poddisruptionbudgets");

function pod(name: string, phase: string, ready: boolean, labels: Record<string, string> = { app: "web" }): void {
  store.create(pods(), "default", {
    metadata: { name, labels },
    spec: { containers: [{ name: "c", image: "nginx" }] },
  });
  const fresh = store.get(pods(), "default", name);
  store.update(
    pods(),
    "default",
    name,
    { ...fresh, status: { phase, conditions: [{ type: "Ready", status: ready ? "True" : "False" }] } },
    { subresource: "status" },
  );
}

/** A budget whose status says what the disruption controller would have written. */
function budget(
  name: string,
  status: Record<string, unknown>,
  selector: unknown = { matchLabels: { app: "web" } },
): void {
  const created = store.create(pdbs(), "default", { metadata: { name }, spec: { minAvailable: 1, selector } });
  store.update(
    pdbs(),
    "default",
    name,
    { ...created, status: { observedGeneration: 1, ...status } },
    { subresource: "status" },
  );
}

function evict(name: string, body: KubeObject = { apiVersion: "policy/v1", kind: "Eviction", metadata: { name } }) {
  const kind = pods();
  return kind.actions?.eviction?.(store, kind, { namespace: "default", name }, body);
}

function refusal(name: string): ApiError {
  try {
    evict(name);
  } catch (error) {
    assert.ok(error instanceof ApiError, String(error));
    return error;
  }
  assert.fail(`evicting ${name} was not refused`);
}

const exists = (name: string): boolean => store.find(pods(), "default", name) !== undefined;

beforeEach(() => {
  world = startTestWorld();
  world.controllers.stop(); // the budgets' status is the test's here
  store = world.store;
});

describe("pods/eviction", () => {
  test("a budget with disruptionsAllowed 0 refuses with 429 and its numbers as the cause", () => {
    pod("a", "Running", true);
    budget("web", { disruptionsAllowed: 0, currentHealthy: 1, desiredHealthy: 1, expectedPods: 1 });
    const error = refusal("a");
    assert.equal(error.code, 429);
    assert.equal(error.status.reason, "TooManyRequests");
    assert.equal(error.status.message, "Cannot evict pod as it would violate the pod's disruption budget.");
    assert.deepEqual(error.status.details?.causes, [
      { reason: "DisruptionBudget", message: "The disruption budget web needs 1 healthy pods and has 1 currently" },
    ]);
    assert.equal(error.status.details?.retryAfterSeconds, undefined);
    assert.ok(exists("a"));
  });

  test("an allowed eviction decrements disruptionsAllowed, records the pod in disruptedPods and deletes it at once", () => {
    pod("a", "Running", true);
    budget("web", { disruptionsAllowed: 1, currentHealthy: 2, desiredHealthy: 1, expectedPods: 2 });
    evict("a");
    assert.ok(!exists("a"));
    const status = store.get(pdbs(), "default", "web").status as Record<string, unknown>;
    assert.equal(status.disruptionsAllowed, 0);
    assert.deepEqual(Object.keys(status.disruptedPods as object), ["a"]);
    const condition = (status.conditions as { type: string; status: string; reason: string }[])[0];
    assert.deepEqual(
      [condition?.type, condition?.status, condition?.reason],
      ["DisruptionAllowed", "False", "InsufficientPods"],
    );
  });

  test("two matching budgets are a 500 with upstream's message", () => {
    pod("a", "Running", true);
    budget("one", { disruptionsAllowed: 5 });
    budget("two", { disruptionsAllowed: 5 });
    const error = refusal("a");
    assert.equal(error.code, 500);
    assert.equal(error.status.reason, undefined);
    assert.equal(
      error.status.message,
      "This pod has more than one PodDisruptionBudget, which the eviction subresource does not support.",
    );
  });

  test("Pending, Succeeded and Failed pods are deleted without the budget check (canIgnorePDB)", () => {
    budget("web", { disruptionsAllowed: 0 });
    for (const [name, phase] of [
      ["p", "Pending"],
      ["s", "Succeeded"],
      ["f", "Failed"],
    ] as const) {
      pod(name, phase, false);
      evict(name);
      assert.ok(!exists(name), phase);
    }
    assert.equal((store.get(pdbs(), "default", "web").status as Record<string, unknown>).disruptionsAllowed, 0);
  });

  test("a not-Ready running pod is deleted without spending the budget when the budget is met", () => {
    pod("sick", "Running", false);
    budget("web", { disruptionsAllowed: 0, currentHealthy: 2, desiredHealthy: 1 });
    evict("sick");
    assert.ok(!exists("sick"));
    assert.equal((store.get(pdbs(), "default", "web").status as Record<string, unknown>).disruptedPods, undefined);
  });

  test("a budget whose status has not observed its generation is 'still being processed' (429, retry after 10 s)", () => {
    pod("a", "Running", true);
    budget("web", { disruptionsAllowed: 3, observedGeneration: 0 });
    const error = refusal("a");
    assert.equal(error.code, 429);
    assert.equal(error.status.details?.retryAfterSeconds, 10);
    assert.deepEqual(error.status.details?.causes, [
      { reason: "DisruptionBudget", message: "The disruption budget web is still being processed by the server." },
    ]);
  });

  test("a budget with an empty selector matches no pod; a mismatched name is a 400", () => {
    pod("a", "Running", true);
    budget("everything", { disruptionsAllowed: 0 }, {});
    assert.throws(
      () => evict("a", { apiVersion: "policy/v1", kind: "Eviction", metadata: { name: "b" } }),
      (e: unknown) =>
        e instanceof ApiError && e.code === 400 && e.message === "name in URL does not match name in Eviction object",
    );
    evict("a");
    assert.ok(!exists("a"));
  });
});
