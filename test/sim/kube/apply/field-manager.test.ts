// The API server's field manager around the merge algebra: who a write is recorded as (the table of
// k8s.io/apiserver pkg/endpoints/handlers/rest_test.go TestManagerOrUserAgent), clearing managedFields with `[]`
// or `[{}]` (pkg/util/managedfields/internal fieldmanager tests TestResetManagedFieldsEmptyList / EmptyItem), the
// cap of Update managers (capmanagers_test.go TestCapUpdateManagers),
// the metadata no manager owns (stripmeta), and conflict messages as internal/conflict.go words them.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { applyConfiguration, recordUpdate, type FieldManagerScope } from "../../../../sim/kube/apply/field-manager.ts";
import { capUpdateManagers } from "../../../../sim/kube/apply/cap-managers.ts";
import { decodeManagedFields, encodeManagedFields } from "../../../../sim/kube/apply/managed-fields.ts";
import { managerOrUserAgent, validateFieldManager } from "../../../../sim/kube/apply/manager-name.ts";
import type { ApiError } from "../../../../sim/kube/store/status.ts";
import type { KubeObject } from "../../../../sim/kube/store/resource-kind.ts";
import { servedKindRegistry } from "../../../../sim/kube/kinds/index.ts";
import { objectMeta, obj, str, stringMap } from "../../../../sim/kube/kinds/schema-builders.ts";

const scope = (over: Partial<FieldManagerScope> = {}): FieldManagerScope => ({
  schema: obj({ apiVersion: str, kind: str, metadata: objectMeta, data: stringMap }),
  group: "",
  version: "v1",
  kind: "ConfigMap",
  custom: false,
  hasStatus: false,
  now: new Date("2026-01-02T03:04:05.678Z"),
  ...over,
});

const configMap = (extra: Record<string, unknown> = {}): KubeObject => ({
  apiVersion: "v1",
  kind: "ConfigMap",
  metadata: { name: "c", namespace: "default", labels: { a: "b" } },
  ...extra,
});

describe("managerOrUserAgent (rest_test.go TestManagerOrUserAgent)", () => {
  const cases: [string, string, string][] = [
    [
      "",
      "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/72.0.3626.121 Safari/537.36",
      "Mozilla",
    ],
    ["", `${"f".repeat(129)}/Something`, "f".repeat(128)],
    ["", "🍔".repeat(60), "🍔".repeat(32)],
    ["", "userAgent", "userAgent"],
    ["manager", "userAgent", "manager"],
  ];
  for (const [manager, userAgent, expected] of cases) {
    test(`${manager || "(none)"} / ${userAgent.slice(0, 20)}`, () => {
      assert.equal(managerOrUserAgent(manager, userAgent), expected);
    });
  }
  test("a fieldManager over 128 bytes is refused", () => {
    assert.deepEqual(validateFieldManager("m".repeat(129)), [
      { field: "fieldManager", type: "FieldValueTooLong", body: "Too long: may not be more than 128 bytes" },
    ]);
    assert.deepEqual(validateFieldManager("kubectl-edit"), []);
  });
});

describe("managed fields on updates", () => {
  test("a create is recorded as an Update of everything it set, without the metadata the server owns", () => {
    const created = recordUpdate(undefined, configMap({ data: { k: "v" } }), "kubectl-create", scope());
    assert.deepEqual(created.metadata?.managedFields, [
      {
        manager: "kubectl-create",
        operation: "Update",
        apiVersion: "v1",
        time: "2026-01-02T03:04:05Z",
        fieldsType: "FieldsV1",
        fieldsV1: { "f:data": { ".": {}, "f:k": {} }, "f:metadata": { "f:labels": { ".": {}, "f:a": {} } } },
      },
    ]);
  });

  for (const reset of [[], [{}]]) {
    test(`managedFields: ${JSON.stringify(reset)} clears them (TestResetManagedFieldsEmpty…)`, () => {
      const applied = applyConfiguration(undefined, configMap(), "fieldmanager_test_apply", false, scope()).object;
      assert.ok(Array.isArray(applied.metadata?.managedFields));
      const next = configMap();
      (next.metadata as Record<string, unknown>).managedFields = reset;
      const updated = recordUpdate(applied, next, "update_manager", scope());
      assert.equal(updated.metadata?.managedFields, undefined);
    });
  }

  test("managedFields a client cannot have written are ignored in favour of the stored ones", () => {
    const live = recordUpdate(undefined, configMap(), "first", scope());
    const next = configMap({ data: { k: "v" } });
    (next.metadata as Record<string, unknown>).managedFields = [{ manager: "x", operation: "Bogus" }];
    const updated = recordUpdate(live, next, "second", scope());
    assert.deepEqual(
      (updated.metadata?.managedFields as { manager: string }[]).map((e) => e.manager),
      ["first", "second"],
    );
  });
});

describe("conflicts", () => {
  test("several conflicts are listed by manager, as NewConflictError words them", () => {
    const live = recordUpdate(undefined, configMap({ data: { a: "1", b: "1" } }), "kubectl-edit", scope());
    assert.throws(
      () => applyConfiguration(live, configMap({ data: { a: "2", b: "2" } }), "poolkeeper", false, scope()),
      (error: ApiError) => {
        assert.equal(error.code, 409);
        assert.equal(
          error.message,
          'Apply failed with 2 conflicts: conflicts with "kubectl-edit" using v1:\n- .data.a\n- .data.b',
        );
        assert.deepEqual(error.status.details?.causes, [
          { reason: "FieldManagerConflict", message: 'conflict with "kubectl-edit" using v1', field: ".data.a" },
          { reason: "FieldManagerConflict", message: 'conflict with "kubectl-edit" using v1', field: ".data.b" },
        ]);
        return true;
      },
    );
  });

  test("an apply patch of another kind, or with managedFields, is a 400", () => {
    assert.throws(
      () => applyConfiguration(undefined, { ...configMap(), kind: "Secret" }, "m", false, scope()),
      /^ApiError: invalid object type: \/v1, Kind=Secret$/,
    );
    const withFields = configMap();
    (withFields.metadata as Record<string, unknown>).managedFields = [];
    assert.throws(
      () => applyConfiguration(undefined, withFields, "m", false, scope()),
      /metadata.managedFields must be nil/,
    );
  });
});

describe("at most N Update managers (capmanagers_test.go TestCapUpdateManagers, N = 3)", () => {
  type E = [manager: string, version: string, hour: number, fields: string[]];
  const entry = ([manager, apiVersion, hour, fields]: E) => ({
    manager,
    operation: "Update",
    apiVersion,
    time: new Date(Date.UTC(2026, 0, 1, hour)).toISOString().replace(".000", ""),
    fieldsType: "FieldsV1",
    fieldsV1: Object.fromEntries(fields.map((f) => [`f:${f}`, {}])),
  });
  const cases: [string, E[], E[]][] = [
    [
      "one version, no ancient changes",
      [
        ["update-manager1", "v1", 1, ["a"]],
        ["update-manager2", "v1", 2, ["b"]],
        ["update-manager3", "v1", 3, ["c"]],
        ["update-manager4", "v1", 4, ["d"]],
      ],
      [
        ["ancient-changes", "v1", 2, ["a", "b"]],
        ["update-manager3", "v1", 3, ["c"]],
        ["update-manager4", "v1", 4, ["d"]],
      ],
    ],
    [
      "one version, one ancient changes",
      [
        ["ancient-changes", "v1", 2, ["a", "b"]],
        ["update-manager3", "v1", 3, ["c"]],
        ["update-manager4", "v1", 4, ["d"]],
        ["update-manager5", "v1", 5, ["e"]],
      ],
      [
        ["ancient-changes", "v1", 3, ["a", "b", "c"]],
        ["update-manager4", "v1", 4, ["d"]],
        ["update-manager5", "v1", 5, ["e"]],
      ],
    ],
    [
      "two versions, no ancient changes",
      [
        ["update-manager1", "v1", 1, ["a"]],
        ["update-manager2", "v2", 2, ["b"]],
        ["update-manager3", "v1", 3, ["c"]],
        ["update-manager4", "v1", 4, ["d"]],
        ["update-manager5", "v1", 5, ["e"]],
      ],
      [
        ["update-manager2", "v2", 2, ["b"]],
        ["ancient-changes", "v1", 4, ["a", "c", "d"]],
        ["update-manager5", "v1", 5, ["e"]],
      ],
    ],
    [
      "three versions, one ancient changes",
      [
        ["update-manager2", "v2", 2, ["b"]],
        ["ancient-changes", "v1", 4, ["a", "c", "d"]],
        ["update-manager5", "v1", 5, ["e"]],
        ["update-manager6", "v3", 6, ["f"]],
        ["update-manager7", "v2", 7, ["g"]],
      ],
      [
        ["ancient-changes", "v1", 5, ["a", "c", "d", "e"]],
        ["update-manager6", "v3", 6, ["f"]],
        ["ancient-changes", "v2", 7, ["b", "g"]],
      ],
    ],
    [
      "three versions, two ancient changes",
      [
        ["ancient-changes", "v1", 5, ["a", "c", "d", "e"]],
        ["update-manager6", "v3", 6, ["f"]],
        ["ancient-changes", "v2", 7, ["b", "g"]],
        ["update-manager8", "v3", 8, ["h"]],
      ],
      [
        ["ancient-changes", "v1", 5, ["a", "c", "d", "e"]],
        ["ancient-changes", "v2", 7, ["b", "g"]],
        ["ancient-changes", "v3", 8, ["f", "h"]],
      ],
    ],
    [
      "four versions, two ancient changes",
      [
        ["ancient-changes", "v1", 5, ["a", "c", "d", "e"]],
        ["update-manager6", "v3", 6, ["f"]],
        ["ancient-changes", "v2", 7, ["b", "g"]],
        ["update-manager8", "v4", 8, ["h"]],
      ],
      [
        ["ancient-changes", "v1", 5, ["a", "c", "d", "e"]],
        ["update-manager6", "v3", 6, ["f"]],
        ["ancient-changes", "v2", 7, ["b", "g"]],
        ["update-manager8", "v4", 8, ["h"]],
      ],
    ],
  ];
  for (const [name, input, expected] of cases) {
    test(name, () => {
      const managed = decodeManagedFields(input.map(entry));
      capUpdateManagers(managed, 3);
      assert.deepEqual(encodeManagedFields(managed), expected.map(entry));
    });
  }
});

describe("the Karpenter CRDs' list semantics", () => {
  const kind = servedKindRegistry().resource("karpenter.sh", "v1", "nodepools");
  assert.ok(kind);
  const poolScope = scope({
    schema: kind.schema,
    group: "karpenter.sh",
    kind: "NodePool",
    custom: true,
    hasStatus: true,
  });
  const pool = (values: string[]): KubeObject => ({
    apiVersion: "karpenter.sh/v1",
    kind: "NodePool",
    metadata: { name: "default" },
    spec: {
      template: {
        spec: {
          nodeClassRef: { group: "karpenter.k8s.aws", kind: "EC2NodeClass", name: "default" },
          requirements: [{ key: "kubernetes.io/arch", operator: "In", values }],
        },
      },
    },
  });

  test("requirements are atomic (x-kubernetes-list-type: atomic): another applier's list conflicts whole", () => {
    const live = applyConfiguration(undefined, pool(["amd64"]), "gitops", false, poolScope).object;
    assert.throws(
      () => applyConfiguration(live, pool(["arm64"]), "team", false, poolScope),
      (error: ApiError) => {
        assert.equal(
          error.message,
          'Apply failed with 1 conflict: conflict with "gitops": .spec.template.spec.requirements',
        );
        return true;
      },
    );
  });

  test("status conditions are keyed by type, and a status applier owns only status", () => {
    const live = applyConfiguration(undefined, pool(["amd64"]), "gitops", false, poolScope).object;
    const status = {
      apiVersion: "karpenter.sh/v1",
      kind: "NodePool",
      metadata: { name: "default" },
      spec: { weight: 5 },
      status: { conditions: [{ type: "Ready", status: "True" }] },
    };
    const applied = applyConfiguration(live, status, "karpenter", false, {
      ...poolScope,
      subresource: "status",
    }).object;
    const entry = (
      applied.metadata?.managedFields as { manager: string; fieldsV1: unknown; subresource?: string }[]
    ).find((e) => e.manager === "karpenter");
    assert.equal(entry?.subresource, "status");
    assert.deepEqual(entry?.fieldsV1, {
      "f:status": { "f:conditions": { 'k:{"type":"Ready"}': { ".": {}, "f:status": {}, "f:type": {} } } },
    });
  });
});
