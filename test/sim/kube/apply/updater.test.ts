// Field ownership through applies and updates, against structured-merge-diff's own merge tables
// (kubernetes-sigs/structured-merge-diff at 15d0754, merge/leaf_test.go TestUpdateLeaf, merge/set_test.go
// TestUpdateSet, merge/key_test.go TestUpdateAssociativeLists, merge/multiple_appliers_test.go
// TestMultipleAppliersSet): the same schemas (as OpenAPI), operations, resulting objects and managed sets. The
// simulated cluster serves one version per kind, so the tables' cross-version variants are left out.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { parse } from "yaml";
import { pathString } from "../../../../sim/kube/apply/path-element.ts";
import { ConflictsError, Updater, type ManagedFieldSets } from "../../../../sim/kube/apply/updater.ts";
import type { KubeSchema } from "../../../../sim/kube/store/schema.ts";

type Op =
  | { apply: string; manager: string; force?: boolean; conflicts?: [string, string][] }
  | { update: string; manager: string };

interface Case {
  ops: Op[];
  object: string;
  managed: Record<string, string[]>;
}

function run(schema: KubeSchema, c: Case): void {
  const updater = new Updater({ schema });
  let live: unknown = {};
  let managers: ManagedFieldSets = new Map();
  for (const op of c.ops) {
    if ("update" in op) {
      const next = parse(op.update) as unknown;
      managers = updater.update(live, next, "v1", managers, op.manager);
      live = next;
      continue;
    }
    const config = parse(op.apply) as unknown;
    try {
      const result = updater.apply(live, config, "v1", managers, op.manager, op.force ?? false);
      assert.equal(op.conflicts, undefined, "the apply was expected to conflict");
      if (result.object !== undefined) live = result.object;
      managers = result.managers;
    } catch (error) {
      if (!(error instanceof ConflictsError) || !op.conflicts) throw error;
      assert.deepEqual(
        error.conflicts.map((x) => [x.manager, pathString(x.path)]),
        op.conflicts,
      );
    }
  }
  assert.deepEqual(live, parse(c.object));
  const got: Record<string, string[]> = {};
  for (const [manager, versioned] of managers) got[manager] = versioned.set.paths().map(pathString).sort();
  const want: Record<string, string[]> = {};
  for (const [manager, paths] of Object.entries(c.managed)) want[manager] = [...paths].sort();
  assert.deepEqual(got, want);
}

const leafFields: KubeSchema = {
  type: "object",
  properties: { numeric: { type: "number" }, string: { type: "string" }, bool: { type: "boolean" } },
};

describe("leaf fields (leaf_test.go TestUpdateLeaf)", () => {
  test("apply_twice", () =>
    run(leafFields, {
      ops: [
        { manager: "default", apply: "numeric: 1\nstring: string" },
        { manager: "default", apply: "numeric: 2\nstring: string\nbool: false" },
      ],
      object: "numeric: 2\nstring: string\nbool: false",
      managed: { default: [".numeric", ".string", ".bool"] },
    }));
  test("apply_update_apply_no_conflict", () =>
    run(leafFields, {
      ops: [
        { manager: "default", apply: "numeric: 1\nstring: string" },
        { manager: "controller", update: "numeric: 1\nstring: string\nbool: true" },
        { manager: "default", apply: "numeric: 2\nstring: string" },
      ],
      object: "numeric: 2\nstring: string\nbool: true",
      managed: { default: [".numeric", ".string"], controller: [".bool"] },
    }));
  test("apply_update_apply_with_conflict", () =>
    run(leafFields, {
      ops: [
        { manager: "default", apply: "numeric: 1\nstring: string" },
        { manager: "controller", update: "numeric: 1\nstring: controller string\nbool: true" },
        { manager: "default", apply: "numeric: 2\nstring: user string", conflicts: [["controller", ".string"]] },
        { manager: "default", apply: "numeric: 2\nstring: user string", force: true },
      ],
      object: "numeric: 2\nstring: user string\nbool: true",
      managed: { default: [".numeric", ".string"], controller: [".bool"] },
    }));
});

const sets: KubeSchema = {
  type: "object",
  properties: { list: { type: "array", items: { type: "string" }, "x-kubernetes-list-type": "set" } },
};

describe("sets (set_test.go TestUpdateSet)", () => {
  test("apply_twice", () =>
    run(sets, {
      ops: [
        { manager: "default", apply: "list: [a, c]" },
        { manager: "default", apply: "list: [a, b, c, d]" },
      ],
      object: "list: [a, b, c, d]",
      managed: { default: ['.list[="a"]', '.list[="b"]', '.list[="c"]', '.list[="d"]'] },
    }));
  test("apply_update_apply_no_overlap: the live items keep their place among the applied ones", () =>
    run(sets, {
      ops: [
        { manager: "default", apply: "list: [a, c]" },
        { manager: "controller", update: "list: [a, b, c, d]" },
        { manager: "default", apply: "list: [a, aprime, c, cprime]" },
      ],
      object: "list: [a, b, aprime, c, d, cprime]",
      managed: {
        default: ['.list[="a"]', '.list[="aprime"]', '.list[="c"]', '.list[="cprime"]'],
        controller: ['.list[="b"]', '.list[="d"]'],
      },
    }));
  test("apply_update_apply_with_overlap: an item applied with the same value is shared", () =>
    run(sets, {
      ops: [
        { manager: "default", apply: "list: [a, c]" },
        { manager: "controller", update: "list: [a, b, c, d]" },
        { manager: "default", apply: "list: [a, b, c]" },
      ],
      object: "list: [a, b, c, d]",
      managed: {
        default: ['.list[="a"]', '.list[="b"]', '.list[="c"]'],
        controller: ['.list[="b"]', '.list[="d"]'],
      },
    }));
  test("apply_twice_reorder", () =>
    run(sets, {
      ops: [
        { manager: "default", apply: "list: [a, b, c, d]" },
        { manager: "default", apply: "list: [a, d, c, b]" },
      ],
      object: "list: [a, d, c, b]",
      managed: { default: ['.list[="a"]', '.list[="b"]', '.list[="c"]', '.list[="d"]'] },
    }));
});

const associativeList: KubeSchema = {
  type: "object",
  properties: {
    list: {
      type: "array",
      "x-kubernetes-list-type": "map",
      "x-kubernetes-list-map-keys": ["name"],
      items: { type: "object", properties: { name: { type: "string" }, value: { type: "number" } } },
    },
  },
};

describe("associative lists (key_test.go, multiple_appliers_test.go)", () => {
  test("removing_obsolete_applied_structs", () =>
    run(associativeList, {
      ops: [
        { manager: "default", apply: "list:\n- name: a\n  value: 1" },
        { manager: "default", apply: "list:\n- name: b\n  value: 2" },
      ],
      object: "list:\n- name: b\n  value: 2",
      managed: { default: ['.list[name="b"]', '.list[name="b"].name', '.list[name="b"].value'] },
    }));
  test("remove_one: an item another applier holds stays", () =>
    run(associativeList, {
      ops: [
        { manager: "apply-one", apply: "list:\n- name: a\n- name: b" },
        { manager: "apply-two", apply: "list:\n- name: c" },
        { manager: "apply-one", apply: "list:\n- name: a" },
      ],
      object: "list:\n- name: a\n- name: c",
      managed: {
        "apply-one": ['.list[name="a"]', '.list[name="a"].name'],
        "apply-two": ['.list[name="c"]', '.list[name="c"].name'],
      },
    }));
  test("same_value_no_conflict", () =>
    run(associativeList, {
      ops: [
        { manager: "apply-one", apply: "list:\n- name: a\n  value: 0" },
        { manager: "apply-two", apply: "list:\n- name: a\n  value: 0" },
      ],
      object: "list:\n- name: a\n  value: 0",
      managed: {
        "apply-one": ['.list[name="a"]', '.list[name="a"].name', '.list[name="a"].value'],
        "apply-two": ['.list[name="a"]', '.list[name="a"].name', '.list[name="a"].value'],
      },
    }));
  test("change_value_yes_conflict", () =>
    run(associativeList, {
      ops: [
        { manager: "apply-one", apply: "list:\n- name: a\n  value: 0" },
        {
          manager: "apply-two",
          apply: "list:\n- name: a\n  value: 1",
          conflicts: [["apply-one", '.list[name="a"].value']],
        },
      ],
      object: "list:\n- name: a\n  value: 0",
      managed: { "apply-one": ['.list[name="a"]', '.list[name="a"].name', '.list[name="a"].value'] },
    }));
  test("remove_one_keep_one", () =>
    run(associativeList, {
      ops: [
        { manager: "apply-one", apply: "list:\n- name: a\n- name: b\n- name: c" },
        { manager: "apply-two", apply: "list:\n- name: c\n- name: d" },
        { manager: "apply-one", apply: "list:\n- name: a" },
      ],
      object: "list:\n- name: a\n- name: c\n- name: d",
      managed: {
        "apply-one": ['.list[name="a"]', '.list[name="a"].name'],
        "apply-two": ['.list[name="c"]', '.list[name="c"].name', '.list[name="d"]', '.list[name="d"].name'],
      },
    }));
  test("an applied list with a repeated key is refused, naming the path", () => {
    const updater = new Updater({ schema: associativeList });
    assert.throws(
      () => updater.apply({}, parse("list:\n- name: a\n- name: a"), "v1", new Map(), "m", false),
      /^TypedValueError: \.list: duplicate entries for key \[name="a"\]$/,
    );
  });
});
