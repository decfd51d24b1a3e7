// Deletion in the simulated cluster as kubectl 1.35 shows it, with the world's controllers (among them the garbage
// collector, the namespace controller and the kubelet's final delete) running on the server's store: `kubectl delete deployment` with each --cascade, a namespace that stays Terminating while content
// remains and refuses new objects with the NamespaceLifecycle plugin's message, and a pod's graceful deletion
// and `--grace-period=0 --force`. Expected words are kubectl's own (its "Warning: Immediate deletion …" line) and
// the API server's (k8s.io/apiserver plugin/pkg/admission/namespace/lifecycle).
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { WorldControllers } from "../../../sim/index.ts";
import { startSimKube, type SimKube } from "../../support/sim-kube.ts";
import { kindOf, node, runPod } from "../../support/sim-world.ts";

let sim: SimKube;
let controllers: WorldControllers;

before(async () => {
  sim = await startSimKube();
  controllers = new WorldControllers(sim.server.store).start();
  sim.server.store.create(kindOf(sim.server.store, "", "v1", "nodes"), undefined, node("n1"));
});

after(async () => {
  controllers.stop();
  await sim.stop();
});

function deployment(name: string): string {
  return `apiVersion: apps/v1
kind: Deployment
metadata: {name: ${name}}
spec:
  replicas: 2
  selector: {matchLabels: {app: ${name}}}
  template:
    metadata: {labels: {app: ${name}}}
    spec:
      terminationGracePeriodSeconds: 0
      containers: [{name: app, image: "nginx:1.27"}]
`;
}

async function names(args: string[]): Promise<string[]> {
  const result = await sim.kubectl(["get", ...args, "-o", "name"]);
  assert.equal(result.code, 0, result.stderr);
  return result.stdout.split("\n").filter((l) => l !== "");
}

describe("deletion through kubectl", { timeout: 120_000 }, () => {
  test("delete deployment removes its ReplicaSets and pods (background)", async () => {
    assert.equal((await sim.kubectl(["apply", "-f", "-"], { stdin: deployment("bg") })).code, 0);
    assert.equal((await names(["pods", "-l", "app=bg"])).length, 2);
    const deleted = await sim.kubectl(["delete", "deployment", "bg"]);
    assert.equal(deleted.code, 0, deleted.stderr);
    assert.equal(deleted.stdout.trim(), 'deployment.apps "bg" deleted from default namespace');
    assert.deepEqual(await names(["replicasets", "-l", "app=bg"]), []);
    assert.deepEqual(await names(["pods", "-l", "app=bg"]), []);
  });

  test("--cascade=foreground returns once the dependents are gone", async () => {
    assert.equal((await sim.kubectl(["apply", "-f", "-"], { stdin: deployment("fg") })).code, 0);
    const deleted = await sim.kubectl(["delete", "deployment", "fg", "--cascade=foreground"]);
    assert.equal(deleted.code, 0, deleted.stderr);
    assert.deepEqual(await names(["deployments,replicasets,pods", "-l", "app=fg"]), []);
  });

  test("--cascade=orphan leaves the ReplicaSet and its pods, without the owner reference", async () => {
    assert.equal((await sim.kubectl(["apply", "-f", "-"], { stdin: deployment("orphans") })).code, 0);
    const deleted = await sim.kubectl(["delete", "deployment", "orphans", "--cascade=orphan"]);
    assert.equal(deleted.code, 0, deleted.stderr);
    assert.deepEqual(await names(["deployments", "-l", "app=orphans"]), []);
    const [rs] = await names(["replicasets", "-l", "app=orphans"]);
    assert.ok(rs);
    const owners = await sim.kubectl(["get", rs, "-o", "jsonpath={.metadata.ownerReferences}"]);
    assert.equal(owners.stdout, "");
    assert.equal((await names(["pods", "-l", "app=orphans"])).length, 2);
  });

  test("a deleted namespace is Terminating, refuses new objects, and goes when its content is gone", async () => {
    const setup = `apiVersion: v1
kind: Namespace
metadata: {name: doomed}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: held, namespace: doomed, finalizers: [example.com/hold]}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: plain, namespace: doomed}
`;
    assert.equal((await sim.kubectl(["apply", "-f", "-"], { stdin: setup })).code, 0);
    const deleted = await sim.kubectl(["delete", "namespace", "doomed", "--wait=false"]);
    assert.equal(deleted.code, 0, deleted.stderr);
    const status = await sim.kubectl(["get", "namespace", "doomed", "--no-headers"]);
    assert.match(status.stdout, /^doomed\s+Terminating\s/);
    assert.deepEqual(await names(["configmaps", "-n", "doomed"]), ["configmap/held"]);
    const remaining = await sim.kubectl([
      "get",
      "namespace",
      "doomed",
      "-o",
      'jsonpath={.status.conditions[?(@.type=="NamespaceFinalizersRemaining")].message}',
    ]);
    assert.equal(remaining.stdout, "Some finalizers are remaining: example.com/hold in 1 resource instances");

    const late = await sim.kubectl(["apply", "-f", "-"], {
      stdin: "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: late, namespace: doomed}\n",
    });
    assert.notEqual(late.code, 0);
    assert.match(
      late.stderr,
      /Error from server \(Forbidden\): error when creating "STDIN": configmaps "late" is forbidden: unable to create new content in namespace doomed because it is being terminated/,
    );

    const released = await sim.kubectl([
      "patch",
      "configmap",
      "held",
      "-n",
      "doomed",
      "--type=merge",
      "-p",
      '{"metadata":{"finalizers":null}}',
    ]);
    assert.equal(released.code, 0, released.stderr);
    const waited = await sim.kubectl(["wait", "--for=delete", "namespace/doomed", "--timeout=60s"]);
    assert.equal(waited.code, 0, waited.stderr);
  });

  test("replace --raw of the finalize subresource ends a namespace stuck in Terminating", async () => {
    const setup = `apiVersion: v1
kind: Namespace
metadata: {name: stuck}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: held, namespace: stuck, finalizers: [example.com/hold]}
`;
    assert.equal((await sim.kubectl(["apply", "-f", "-"], { stdin: setup })).code, 0);
    assert.equal((await sim.kubectl(["delete", "namespace", "stuck", "--wait=false"])).code, 0);
    const namespace = await sim.kubectl(["get", "namespace", "stuck", "-o", "json"]);
    const object = JSON.parse(namespace.stdout) as { spec: { finalizers: string[] }; status: { phase: string } };
    assert.equal(object.status.phase, "Terminating");
    assert.deepEqual(object.spec.finalizers, ["kubernetes"]);
    object.spec.finalizers = [];
    const finalized = await sim.kubectl(["replace", "--raw", "/api/v1/namespaces/stuck/finalize", "-f", "-"], {
      stdin: JSON.stringify(object),
    });
    assert.equal(finalized.code, 0, finalized.stderr);
    const gone = await sim.kubectl(["get", "namespace", "stuck"]);
    assert.match(gone.stderr, /Error from server \(NotFound\): namespaces "stuck" not found/);
  });

  test("a running pod is deleted gracefully; --grace-period=0 --force removes it at once", async () => {
    const store = sim.server.store;
    const pods = kindOf(store, "", "v1", "pods");
    store.create(pods, "default", {
      metadata: { name: "slow" },
      spec: { terminationGracePeriodSeconds: 600, containers: [{ name: "app", image: "nginx:1.27" }] },
    });
    runPod(store, { metadata: { name: "slow", namespace: "default" }, spec: {} }, "n1");
    const deleted = await sim.kubectl(["delete", "pod", "slow", "--wait=false"]);
    assert.equal(deleted.code, 0, deleted.stderr);
    const grace = await sim.kubectl([
      "get",
      "pod",
      "slow",
      "-o",
      "jsonpath={.metadata.deletionGracePeriodSeconds} {.metadata.deletionTimestamp}",
    ]);
    const [seconds, when] = grace.stdout.split(" ");
    assert.equal(seconds, "600");
    assert.ok(
      Date.parse(when ?? "") > Date.now() + 500_000,
      `deletionTimestamp ${when} is the end of the grace period`,
    );
    const terminating = await sim.kubectl(["get", "pod", "slow", "--no-headers"]);
    assert.match(terminating.stdout, /^slow\s+\S+\s+Terminating\s/);

    const forced = await sim.kubectl(["delete", "pod", "slow", "--grace-period=0", "--force"]);
    assert.equal(forced.code, 0, forced.stderr);
    assert.match(
      forced.stderr,
      /Warning: Immediate deletion does not wait for confirmation that the running resource has been terminated/,
    );
    assert.match(forced.stdout, /pod "slow" force deleted/);
    assert.deepEqual(await names(["pods", "--field-selector=metadata.name=slow"]), []);
  });
});
