// Server-side apply judged by the real kubectl 1.35 (`apply --server-side`, `--force-conflicts`,
// `get --show-managed-fields`) and by @kubernetes/client-node's ServerSideApply patch strategy. Expected managed
// fields are those the Kubernetes API server records for the same manifests (the field paths follow k8s.io/api's
// list keys: containers by name, ports by containerPort and protocol), and expected messages are the API
// server's (k8s.io/apiserver fieldmanager's conflict error) and kubectl's.
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { KubeConfig, KubernetesObjectApi, PatchStrategy, type KubernetesObject } from "@kubernetes/client-node";
import { parse } from "yaml";
import { startSimKube, type SimKube } from "../../support/sim-kube.ts";
import { httpsCall } from "../../support/tls.ts";

let sim: SimKube;

before(async () => {
  sim = await startSimKube();
});

after(async () => {
  await sim.stop();
});

interface Entry {
  manager: string;
  operation: string;
  apiVersion?: string;
  time?: string;
  fieldsType: string;
  fieldsV1: Record<string, unknown>;
  subresource?: string;
}

function file(name: string, text: string): string {
  const path = join(sim.dir, name);
  writeFileSync(path, text);
  return path;
}

interface Got {
  metadata: {
    resourceVersion: string;
    generation: number;
    managedFields?: Entry[];
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
  };
  spec: { replicas?: number; template: { spec: { expireAfter?: string } } };
  status?: { conditions?: { type: string; status: string }[] };
}

async function getJson(args: string[]): Promise<Got> {
  const { code, stdout, stderr } = await sim.kubectl(["get", ...args, "-o", "json", "--show-managed-fields"]);
  assert.equal(code, 0, stderr);
  return JSON.parse(stdout) as Got;
}

/** `kubectl apply --server-side [flags] -f path`. */
const ssa = (path: string, ...flags: string[]) => sim.kubectl(["apply", "--server-side", ...flags, "-f", path]);

const managers = (object: Got): string[] =>
  (object.metadata.managedFields ?? []).map(
    (e) => `${e.manager}/${e.operation}${e.subresource ? `/${e.subresource}` : ""}`,
  );

const deployment = (name: string, replicas: number, extraLabels = "") => `apiVersion: apps/v1
kind: Deployment
metadata:
  name: ${name}
  namespace: default
  labels:
    app: ${name}${extraLabels}
spec:
  replicas: ${replicas}
  selector:
    matchLabels:
      app: ${name}
  template:
    metadata:
      labels:
        app: ${name}
    spec:
      containers:
      - name: web
        image: nginx:1.27
        ports:
        - containerPort: 80
`;

describe("server-side apply", { timeout: 120_000 }, () => {
  test("apply --server-side of a Deployment records an Apply manager; the second apply is a no-op", async () => {
    const path = file("web.yaml", deployment("web", 2));
    const first = await ssa(path);
    assert.equal(first.code, 0, first.stderr);
    assert.equal(first.stdout.trim(), "deployment.apps/web serverside-applied");
    const created = await getJson(["deployment", "web"]);
    const entries = created.metadata.managedFields ?? [];
    const apply = entries.find((e) => e.operation === "Apply");
    assert.ok(apply, JSON.stringify(entries));
    assert.equal(apply.manager, "kubectl");
    assert.equal(apply.apiVersion, "apps/v1");
    assert.equal(apply.fieldsType, "FieldsV1");
    assert.match(apply.time ?? "", /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    assert.deepEqual(apply.fieldsV1, {
      "f:metadata": { "f:labels": { "f:app": {} } },
      "f:spec": {
        "f:replicas": {},
        "f:selector": {},
        "f:template": {
          "f:metadata": { "f:labels": { "f:app": {} } },
          "f:spec": {
            "f:containers": {
              'k:{"name":"web"}': {
                ".": {},
                "f:image": {},
                "f:name": {},
                "f:ports": { 'k:{"containerPort":80,"protocol":"TCP"}': { ".": {}, "f:containerPort": {} } },
              },
            },
          },
        },
      },
    });
    const second = await ssa(path);
    assert.equal(second.code, 0, second.stderr);
    const again = await getJson(["deployment", "web"]);
    assert.equal(again.metadata.resourceVersion, created.metadata.resourceVersion, "an identical apply writes nothing");
    assert.deepEqual(again.metadata.managedFields, created.metadata.managedFields);
  });

  test("apply --server-side of a NodePool twice: created, then unchanged", async () => {
    const pool = `apiVersion: karpenter.sh/v1
kind: NodePool
metadata:
  name: ssa-pool
spec:
  template:
    spec:
      nodeClassRef: {group: karpenter.k8s.aws, kind: EC2NodeClass, name: default}
      requirements:
      - {key: kubernetes.io/arch, operator: In, values: [amd64]}
  limits:
    cpu: "100"
`;
    const path = file("pool.yaml", pool);
    const first = await ssa(path);
    assert.equal(first.code, 0, first.stderr);
    assert.equal(first.stdout.trim(), "nodepool.karpenter.sh/ssa-pool serverside-applied");
    const created = await getJson(["nodepool", "ssa-pool"]);
    assert.equal(created.spec.template.spec.expireAfter, "720h", "the CRD's defaults are applied after the merge");
    const entries = created.metadata.managedFields ?? [];
    assert.equal(entries.length, 1, JSON.stringify(entries));
    assert.deepEqual(entries[0]?.fieldsV1, {
      "f:spec": {
        "f:limits": { "f:cpu": {} },
        "f:template": {
          "f:spec": { "f:nodeClassRef": { "f:group": {}, "f:kind": {}, "f:name": {} }, "f:requirements": {} },
        },
      },
    });
    const second = await ssa(path);
    assert.equal(second.code, 0, second.stderr);
    const again = await getJson(["nodepool", "ssa-pool"]);
    assert.equal(again.metadata.resourceVersion, created.metadata.resourceVersion);
  });

  test("a field another manager set differently conflicts with the API server's message; --force-conflicts takes it", async () => {
    const csa = await sim.kubectl(["apply", "-f", file("api.yaml", deployment("api", 2))]);
    assert.equal(csa.code, 0, csa.stderr);
    const before = await getJson(["deployment", "api"]);
    assert.deepEqual(managers(before), ["kubectl-client-side-apply/Update"]);
    const path = file("api-ssa.yaml", deployment("api", 3));
    const refused = await ssa(path, "--field-manager=poolkeeper");
    assert.equal(refused.code, 1);
    assert.match(
      refused.stderr,
      /Apply failed with 1 conflict: conflict with "kubectl-client-side-apply" using apps\/v1: \.spec\.replicas/,
    );
    assert.match(refused.stderr, /--force-conflicts/, "kubectl explains how to resolve it");
    assert.equal((await getJson(["deployment", "api"])).spec.replicas, 2);

    const forced = await ssa(path, "--field-manager=poolkeeper", "--force-conflicts");
    assert.equal(forced.code, 0, forced.stderr);
    const after = await getJson(["deployment", "api"]);
    assert.equal(after.spec.replicas, 3);
    // kubectl then moves client-side apply's fields to the new manager (a JSON patch of managedFields, which the
    // server takes as sent) and applies again, which prunes what only the old manager had set: the
    // last-applied annotation goes; the defaults the server sets come back.
    assert.deepEqual(managers(after), ["poolkeeper/Apply"]);
    assert.equal(after.metadata.annotations?.["kubectl.kubernetes.io/last-applied-configuration"], undefined);
    assert.equal((after.spec as { revisionHistoryLimit?: number }).revisionHistoryLimit, 10);
  });

  test("kubectl's own manager may take over what client-side apply's annotation still holds (the upgrade path)", async () => {
    assert.equal((await sim.kubectl(["apply", "-f", file("up.yaml", deployment("up", 2))])).code, 0);
    const upgraded = await ssa(file("up-ssa.yaml", deployment("up", 4)));
    assert.equal(upgraded.code, 0, upgraded.stderr);
    const after = await getJson(["deployment", "up"]);
    assert.equal(after.spec.replicas, 4);
    const lastApplied = JSON.parse(
      after.metadata.annotations?.["kubectl.kubernetes.io/last-applied-configuration"] ?? "{}",
    ) as {
      spec?: { replicas?: number };
    };
    assert.equal(lastApplied.spec?.replicas, 4, "the annotation follows the server-side apply");
  });

  test("a field dropped from the applied file is removed, unless another manager owns it too", async () => {
    const labels = "\n    tier: web\n    team: a";
    const first = await ssa(file("rm.yaml", deployment("rm", 1, labels)));
    assert.equal(first.code, 0, first.stderr);
    // A second applier sets one of the labels to the same value: no conflict, the field is shared.
    const other = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: rm
  namespace: default
  labels:
    team: a
`;
    const shared = await ssa(file("rm-other.yaml", other), "--field-manager=other");
    assert.equal(shared.code, 0, shared.stderr);
    const both = await getJson(["deployment", "rm"]);
    const labelsOf = (manager: string) =>
      (
        both.metadata.managedFields?.find((e) => e.manager === manager)?.fieldsV1["f:metadata"] as Record<
          string,
          unknown
        >
      )["f:labels"];
    assert.deepEqual(labelsOf("other"), { "f:team": {} });
    assert.deepEqual(labelsOf("kubectl"), { "f:app": {}, "f:team": {}, "f:tier": {} });
    const second = await ssa(file("rm2.yaml", deployment("rm", 1)));
    assert.equal(second.code, 0, second.stderr);
    const after = await getJson(["deployment", "rm"]);
    assert.deepEqual(after.metadata.labels, { app: "rm", team: "a" }, "tier is gone; team is still other's");
    assert.equal(after.metadata.generation, both.metadata.generation, "metadata changes leave the generation");
  });

  test("--dry-run=server changes nothing; get --show-managed-fields prints the entries as the API server would", async () => {
    const path = file("dry.yaml", deployment("dry", 1));
    const dry = await ssa(path, "--dry-run=server");
    assert.equal(dry.code, 0, dry.stderr);
    assert.equal((await sim.kubectl(["get", "deployment", "dry"])).code, 1, "a dry run creates nothing");
    assert.equal((await ssa(path)).code, 0);
    const yaml = await sim.kubectl(["get", "deployment", "dry", "-o", "yaml", "--show-managed-fields"]);
    assert.equal(yaml.code, 0, yaml.stderr);
    const object = parse(yaml.stdout) as Got;
    assert.deepEqual(Object.keys(object.metadata.managedFields?.[0] ?? {}), [
      "apiVersion",
      "fieldsType",
      "fieldsV1",
      "manager",
      "operation",
      "time",
    ]);
    const plain = await sim.kubectl(["get", "deployment", "dry", "-o", "yaml"]);
    assert.doesNotMatch(plain.stdout, /managedFields/, "kubectl hides them by default");
  });

  test("apply --subresource=status records a status manager", async () => {
    const status = `apiVersion: karpenter.sh/v1
kind: NodePool
metadata:
  name: ssa-pool
status:
  conditions:
  - type: Ready
    status: "True"
    reason: Ready
    message: ""
    lastTransitionTime: "2026-01-01T00:00:00Z"
`;
    const applied = await ssa(file("status.yaml", status), "--subresource=status", "--field-manager=karpenter");
    assert.equal(applied.code, 0, applied.stderr);
    const after = await getJson(["nodepool", "ssa-pool"]);
    assert.equal(after.status?.conditions?.[0]?.status, "True");
    const entry = (after.metadata.managedFields ?? []).find((e) => e.manager === "karpenter");
    assert.equal(entry?.subresource, "status");
    assert.deepEqual(entry?.fieldsV1, {
      "f:status": {
        "f:conditions": {
          'k:{"type":"Ready"}': {
            ".": {},
            "f:lastTransitionTime": {},
            "f:message": {},
            "f:reason": {},
            "f:status": {},
            "f:type": {},
          },
        },
      },
    });
  });
});

describe("server-side apply from @kubernetes/client-node", { timeout: 60_000 }, () => {
  test("KubernetesObjectApi.patch with PatchStrategy.ServerSideApply creates, then conflicts with another manager", async () => {
    const config = new KubeConfig();
    config.loadFromString(sim.server.kubeconfig());
    const client = KubernetesObjectApi.makeApiClient(config);
    const map: KubernetesObject & { data: Record<string, string> } = {
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: { name: "settings", namespace: "default" },
      data: { mode: "a" },
    };
    const created = await client.patch(map, undefined, undefined, "poolkeeper", false, PatchStrategy.ServerSideApply);
    assert.deepEqual(
      created.metadata?.managedFields?.map((e) => [e.manager, e.operation]),
      [["poolkeeper", "Apply"]],
    );
    await assert.rejects(
      client.patch(
        { ...map, data: { mode: "b" } },
        undefined,
        undefined,
        "other",
        false,
        PatchStrategy.ServerSideApply,
      ),
      (error: Error & { code?: number; body?: unknown }) => {
        assert.equal(error.code, 409);
        const status = (typeof error.body === "string" ? JSON.parse(error.body) : error.body) as {
          reason: string;
          message: string;
          details: { causes: { reason: string; message: string; field: string }[] };
        };
        assert.equal(status.reason, "Conflict");
        assert.equal(status.message, 'Apply failed with 1 conflict: conflict with "poolkeeper": .data.mode');
        assert.deepEqual(status.details.causes, [
          { reason: "FieldManagerConflict", message: 'conflict with "poolkeeper"', field: ".data.mode" },
        ]);
        return true;
      },
    );
  });
});

describe("server-side apply over the REST protocol", { timeout: 60_000 }, () => {
  const call = (path: string, method: string, body: string, headers: Record<string, string>) =>
    httpsCall({
      port: sim.server.port,
      ca: sim.server.ca,
      path,
      method,
      body,
      headers: { authorization: `Bearer ${sim.server.token}`, ...headers },
    });
  const cm = JSON.stringify({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "rest" }, data: { a: "1" } });

  test("an apply without fieldManager, and force on another patch, are 422 as the API server's PatchOptions check", async () => {
    const apply = await call("/api/v1/namespaces/default/configmaps/rest", "PATCH", cm, {
      "content-type": "application/apply-patch+yaml",
    });
    assert.equal(apply.status, 422);
    assert.equal(
      (JSON.parse(apply.body) as { message: string }).message,
      'PatchOptions.meta.k8s.io "" is invalid: fieldManager: Required value: is required for apply patch',
    );
    const merge = await call("/api/v1/namespaces/default/configmaps/rest?force=true", "PATCH", "{}", {
      "content-type": "application/merge-patch+json",
    });
    assert.equal(merge.status, 422);
    assert.equal(
      (JSON.parse(merge.body) as { message: string }).message,
      'PatchOptions.meta.k8s.io "" is invalid: force: Forbidden: may not be specified for non-apply patch',
    );
  });

  test("a write without fieldManager is recorded under its User-Agent's product name; apply creates with 201", async () => {
    const created = await call("/api/v1/namespaces/default/configmaps", "POST", cm, {
      "content-type": "application/json",
      "user-agent": "poolkeeper/0.1.0 (linux/amd64)",
    });
    assert.equal(created.status, 201, created.body);
    const entries = (JSON.parse(created.body) as Got).metadata.managedFields ?? [];
    assert.deepEqual(
      entries.map((e) => [e.manager, e.operation, e.apiVersion]),
      [["poolkeeper", "Update", "v1"]],
    );
    const applied = await call(
      "/api/v1/namespaces/default/configmaps/rest-2?fieldManager=poolkeeper",
      "PATCH",
      cm.replace('"rest"', '"rest-2"'),
      { "content-type": "application/apply-patch+yaml" },
    );
    assert.equal(applied.status, 201, applied.body);
  });

  test("an unknown field in an applied file is refused under kubectl's strict validation", async () => {
    const bad = `apiVersion: v1
kind: ConfigMap
metadata:
  name: strict
  namespace: default
spec:
  foo: 1
`;
    const refused = await ssa(file("strict.yaml", bad));
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /strict decoding error: unknown field "spec"/);
  });
});
