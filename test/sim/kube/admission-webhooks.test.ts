// Admission webhooks in the simulated API server, judged by the real kubectl and the real `poolkeeper serve`
// webhook: a ValidatingWebhookConfiguration (with the webhook CA as caBundle) points at a Service whose
// EndpointSlice points at the webhook on 127.0.0.1, and the certificate names only the service's DNS name
// (`poolkeeper-webhook.poolkeeper.svc`), so the call succeeds only if the API server verifies it as Kubernetes does.
// Expected messages are the API server's words (k8s.io/apiserver pkg/admission/plugin/webhook/errors:
// `admission webhook "NAME" denied the request: …`, `failed calling webhook "NAME": …`, `… does not support dry
// run`) around the webhook's own message, which the webhook's answer gives.
import assert from "node:assert/strict";
import { createServer, type Server } from "node:https";
import { after, before, describe, test } from "node:test";
import { createWebhookServer, type WebhookServer } from "../../../webhook/server.ts";
import { captureLog } from "../../support/log-capture.ts";
import { startSimKube, type SimKube } from "../../support/sim-kube.ts";
import { createTestCa, type TestCa } from "../../support/tls.ts";

const SERVICE_DNS = "poolkeeper-webhook.poolkeeper.svc";

let sim: SimKube;
let ca: TestCa;
let webhook: WebhookServer;
let webhookPort: number;

/** A NodePool whose disruption budget's schedule robfig/cron cannot parse: poolkeeper's baseline denies it. */
function nodePool(name: string, schedule?: string): string {
  return `apiVersion: karpenter.sh/v1
kind: NodePool
metadata:
  name: ${name}
spec:
  template:
    spec:
      requirements:
        - {key: kubernetes.io/arch, operator: In, values: ["amd64"]}
        - {key: karpenter.k8s.aws/instance-category, operator: In, values: ["c", "m", "r"]}
      nodeClassRef: {group: karpenter.k8s.aws, kind: EC2NodeClass, name: default}
  limits: {cpu: "100"}
  disruption:
    consolidateAfter: 30s
    budgets:
      - nodes: "10%"${schedule ? `\n        schedule: "${schedule}"\n        duration: 8h` : ""}
`;
}

function webhookConfiguration(options: { failurePolicy: "Fail" | "Ignore"; sideEffects?: string }): string {
  return `apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingWebhookConfiguration
metadata:
  name: poolkeeper
webhooks:
  - name: validate.poolkeeper.dev
    admissionReviewVersions: ["v1"]
    sideEffects: ${options.sideEffects ?? "None"}
    failurePolicy: ${options.failurePolicy}
    timeoutSeconds: 10
    clientConfig:
      service: {name: poolkeeper-webhook, namespace: poolkeeper, path: /validate, port: 443}
      caBundle: ${Buffer.from(ca.ca).toString("base64")}
    rules:
      - apiGroups: ["karpenter.sh"]
        apiVersions: ["*"]
        resources: ["nodepools"]
        operations: ["CREATE", "UPDATE"]
        scope: Cluster
`;
}

before(async () => {
  sim = await startSimKube();
  ca = createTestCa();
  const cert = ca.issue("webhook", { altNames: [`DNS:${SERVICE_DNS}`] });
  webhook = createWebhookServer({
    tls: { certFile: cert.certFile, keyFile: cert.keyFile },
    policy: { files: [] },
    logger: captureLog().logger,
    watch: false,
  });
  webhookPort = (await webhook.listen(0, "127.0.0.1")).port;
  const wiring = `apiVersion: v1
kind: Namespace
metadata: {name: poolkeeper}
---
apiVersion: v1
kind: Service
metadata: {name: poolkeeper-webhook, namespace: poolkeeper}
spec:
  selector: {app: poolkeeper-webhook}
  ports: [{name: https, port: 443, targetPort: 9443}]
---
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata:
  name: poolkeeper-webhook-1
  namespace: poolkeeper
  labels: {kubernetes.io/service-name: poolkeeper-webhook}
addressType: IPv4
endpoints: [{addresses: ["127.0.0.1"], conditions: {ready: true}}]
ports: [{name: https, port: ${webhookPort}}]
`;
  const applied = await sim.kubectl(["apply", "-f", "-"], { stdin: wiring });
  assert.equal(applied.code, 0, applied.stderr);
});

after(async () => {
  await webhook.close();
  await sim.stop();
  ca.remove();
});

describe("admission webhooks called by the simulated API server", { timeout: 120_000 }, () => {
  test("a bad NodePool is denied by poolkeeper serve with its message; a good one is admitted", async () => {
    const registered = await sim.kubectl(["apply", "-f", "-"], {
      stdin: webhookConfiguration({ failurePolicy: "Fail" }),
    });
    assert.equal(registered.code, 0, registered.stderr);

    const bad = await sim.kubectl(["apply", "-f", "-"], { stdin: nodePool("weekend", "0 9 * * sat-sun") });
    assert.notEqual(bad.code, 0);
    assert.match(
      bad.stderr,
      /Error from server \(Forbidden\): error when creating "STDIN": admission webhook "validate\.poolkeeper\.dev" denied the request: NodePool "weekend" violates 1 poolkeeper policy rule/,
    );
    // The webhook's own finding: the field and the rule id, as poolkeeper's message lists them.
    assert.match(bad.stderr, /- spec\.disruption\.budgets\[0\]\.schedule: .*\[budgets\.schedule-unparsable\]/);
    const missing = await sim.kubectl(["get", "nodepool", "weekend"]);
    assert.notEqual(missing.code, 0, "the denied NodePool was not stored");

    const good = await sim.kubectl(["apply", "-f", "-"], { stdin: nodePool("general") });
    assert.equal(good.code, 0, good.stderr);
    assert.match(good.stdout, /nodepool\.karpenter\.sh\/general created/);
  });

  test("a dry run reaches a webhook without side effects, and is refused by one that may have some", async () => {
    const dry = await sim.kubectl(["apply", "--dry-run=server", "-f", "-"], {
      stdin: nodePool("dry", "0 9 * * sat-sun"),
    });
    assert.notEqual(dry.code, 0);
    assert.match(dry.stderr, /admission webhook "validate\.poolkeeper\.dev" denied the request/);

    await sim.kubectl(["apply", "-f", "-"], {
      stdin: webhookConfiguration({ failurePolicy: "Fail", sideEffects: "Some" }),
    });
    const refused = await sim.kubectl(["apply", "--dry-run=server", "-f", "-"], { stdin: nodePool("dry") });
    assert.notEqual(refused.code, 0);
    assert.match(
      refused.stderr,
      /Error from server \(BadRequest\): .*admission webhook "validate\.poolkeeper\.dev" does not support dry run/,
    );
  });

  test("with the webhook stopped, failurePolicy Fail refuses the change and Ignore lets it through", async () => {
    const stopped = createWebhookServer({
      tls: {
        certFile: ca.issue("stopped", { altNames: [`DNS:${SERVICE_DNS}`] }).certFile,
        keyFile: `${ca.dir}/stopped.key`,
      },
      policy: { files: [] },
      logger: captureLog().logger,
      watch: false,
    });
    const port = (await stopped.listen(0, "127.0.0.1")).port;
    await stopped.close();
    await pointEndpointSliceAt(port);
    try {
      await sim.kubectl(["apply", "-f", "-"], { stdin: webhookConfiguration({ failurePolicy: "Fail" }) });
      const refused = await sim.kubectl(["apply", "-f", "-"], { stdin: nodePool("while-down") });
      assert.notEqual(refused.code, 0);
      assert.match(
        refused.stderr,
        new RegExp(
          `Error from server \\(InternalError\\): error when creating "STDIN": Internal error occurred: failed calling webhook "validate\\.poolkeeper\\.dev": failed to call webhook: Post "https://${SERVICE_DNS.replace(/\./g, "\\.")}:443/validate\\?timeout=10s": dial tcp 127\\.0\\.0\\.1:${port}: connect: connection refused`,
        ),
      );

      await sim.kubectl(["apply", "-f", "-"], { stdin: webhookConfiguration({ failurePolicy: "Ignore" }) });
      const admitted = await sim.kubectl(["apply", "-f", "-"], { stdin: nodePool("while-down", "0 9 * * sat-sun") });
      assert.equal(admitted.code, 0, admitted.stderr);
    } finally {
      await pointEndpointSliceAt(webhookPort);
    }
  });

  test("a certificate that does not name the service fails the call", async () => {
    const other = new TestHttpsServer(ca, ["DNS:somewhere-else.example"], () => ({ allowed: true }));
    await other.listen();
    await pointEndpointSliceAt(other.port);
    try {
      await sim.kubectl(["apply", "-f", "-"], { stdin: webhookConfiguration({ failurePolicy: "Fail" }) });
      const refused = await sim.kubectl(["apply", "-f", "-"], { stdin: nodePool("wrong-name") });
      assert.notEqual(refused.code, 0);
      assert.match(
        refused.stderr,
        /failed calling webhook "validate\.poolkeeper\.dev": .*x509: certificate is valid for/,
      );
      assert.equal(other.calls, 0);
    } finally {
      await other.close();
      await pointEndpointSliceAt(webhookPort);
    }
  });

  test("a webhook that does not answer within timeoutSeconds fails the call", async () => {
    const silent = new TestHttpsServer(ca, [`DNS:${SERVICE_DNS}`], () => undefined);
    await silent.listen();
    await pointEndpointSliceAt(silent.port);
    try {
      await sim.kubectl(["apply", "-f", "-"], {
        stdin: webhookConfiguration({ failurePolicy: "Fail" }).replace("timeoutSeconds: 10", "timeoutSeconds: 1"),
      });
      const refused = await sim.kubectl(["apply", "-f", "-"], { stdin: nodePool("slow") });
      assert.notEqual(refused.code, 0);
      assert.match(
        refused.stderr,
        /failed calling webhook "validate\.poolkeeper\.dev": failed to call webhook: Post "https:\/\/poolkeeper-webhook\.poolkeeper\.svc:443\/validate\?timeout=1s": context deadline exceeded/,
      );
      assert.equal(silent.calls, 1);
    } finally {
      await silent.close();
      await pointEndpointSliceAt(webhookPort);
      await sim.kubectl(["delete", "validatingwebhookconfiguration", "poolkeeper"]);
    }
  });

  test("a mutating webhook's JSONPatch is applied and its warnings reach kubectl", async () => {
    const mutator = new TestHttpsServer(ca, ["IP:127.0.0.1"], (review) => {
      const request = review.request as { object: { metadata: { labels?: Record<string, string> } } };
      const patch = request.object.metadata.labels
        ? [{ op: "add", path: "/metadata/labels/team", value: "platform" }]
        : [{ op: "add", path: "/metadata/labels", value: { team: "platform" } }];
      return {
        allowed: true,
        patchType: "JSONPatch",
        patch: Buffer.from(JSON.stringify(patch)).toString("base64"),
        warnings: ["labelled by the test webhook"],
      };
    });
    await mutator.listen();
    try {
      const configuration = `apiVersion: admissionregistration.k8s.io/v1
kind: MutatingWebhookConfiguration
metadata: {name: team-labeller}
webhooks:
  - name: label.test.example
    admissionReviewVersions: ["v1"]
    sideEffects: None
    clientConfig:
      url: https://127.0.0.1:${mutator.port}/mutate
      caBundle: ${Buffer.from(ca.ca).toString("base64")}
    objectSelector: {matchExpressions: [{key: skip, operator: DoesNotExist}]}
    matchConditions:
      - name: configmaps-named-cm
        expression: "object.metadata.name.startsWith('cm')"
    rules: [{apiGroups: [""], apiVersions: ["v1"], resources: ["configmaps"], operations: ["CREATE"]}]
`;
      const registered = await sim.kubectl(["apply", "-f", "-"], { stdin: configuration });
      assert.equal(registered.code, 0, registered.stderr);
      // What admissionregistration/v1's defaulting adds (SetDefaults_MutatingWebhook, SetDefaults_Rule).
      const defaults = await sim.kubectl([
        "get",
        "mutatingwebhookconfiguration",
        "team-labeller",
        "-o",
        "jsonpath={.webhooks[0].failurePolicy} {.webhooks[0].matchPolicy} {.webhooks[0].timeoutSeconds} {.webhooks[0].reinvocationPolicy} {.webhooks[0].rules[0].scope} {.webhooks[0].namespaceSelector}",
      ]);
      assert.equal(defaults.stdout, "Fail Equivalent 10 Never * {}");
      const created = await sim.kubectl(["apply", "-f", "-"], { stdin: configMap("cm-one") });
      assert.equal(created.code, 0, created.stderr);
      assert.match(created.stderr, /Warning: labelled by the test webhook/);
      const labels = await sim.kubectl(["get", "configmap", "cm-one", "-o", "jsonpath={.metadata.labels.team}"]);
      assert.equal(labels.stdout, "platform");

      // matchConditions false: not called; objectSelector not matching: not called.
      await sim.kubectl(["apply", "-f", "-"], { stdin: configMap("other") });
      await sim.kubectl(["apply", "-f", "-"], {
        stdin: "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: cm-skipped, labels: {skip: 'yes'}}\n",
      });
      assert.equal(mutator.calls, 1);
      const other = await sim.kubectl([
        "get",
        "configmap",
        "other",
        "cm-skipped",
        "-o",
        "jsonpath={.items[*].metadata.labels.team}",
      ]);
      assert.equal(other.stdout.trim(), "");
    } finally {
      await sim.kubectl(["delete", "mutatingwebhookconfiguration", "team-labeller"]);
      await mutator.close();
    }
  });

  test("a matchCondition that cannot be evaluated refuses under Fail (without calling) and skips under Ignore", async () => {
    const probe = new TestHttpsServer(ca, ["IP:127.0.0.1"], () => ({ allowed: true }));
    await probe.listen();
    const configuration = (failurePolicy: string) => `apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingWebhookConfiguration
metadata: {name: broken-condition}
webhooks:
  - name: probe.test.example
    admissionReviewVersions: ["v1"]
    sideEffects: None
    failurePolicy: ${failurePolicy}
    clientConfig:
      url: https://127.0.0.1:${probe.port}/validate
      caBundle: ${Buffer.from(ca.ca).toString("base64")}
    matchConditions:
      - name: team-label
        expression: "object.metadata.labels.team == 'x'"
    rules: [{apiGroups: [""], apiVersions: ["v1"], resources: ["configmaps"], operations: ["CREATE"]}]
`;
    try {
      assert.equal((await sim.kubectl(["apply", "-f", "-"], { stdin: configuration("Fail") })).code, 0);
      const refused = await sim.kubectl(["apply", "-f", "-"], { stdin: configMap("unlabelled") });
      assert.notEqual(refused.code, 0);
      // The object has no labels, so the expression cannot be evaluated (ShouldCallHook's NewForbidden).
      assert.match(
        refused.stderr,
        /Error from server \(Forbidden\): error when creating "STDIN": configmaps "unlabelled" is forbidden: expression 'object\.metadata\.labels\.team == 'x'' resulted in error: /,
      );
      assert.equal(probe.calls, 0);
      assert.equal((await sim.kubectl(["apply", "-f", "-"], { stdin: configuration("Ignore") })).code, 0);
      const admitted = await sim.kubectl(["apply", "-f", "-"], { stdin: configMap("unlabelled") });
      assert.equal(admitted.code, 0, admitted.stderr);
      assert.equal(probe.calls, 0);
    } finally {
      await sim.kubectl(["delete", "validatingwebhookconfiguration", "broken-condition"]);
      await probe.close();
    }
  });

  test("an eviction is a CREATE of pods/eviction carrying a policy/v1 Eviction, and a webhook can refuse it", async () => {
    let seen: Record<string, unknown> | undefined;
    const guard = new TestHttpsServer(ca, ["IP:127.0.0.1"], (review) => {
      seen = review.request as Record<string, unknown>;
      return { allowed: false, status: { code: 403, reason: "Forbidden", message: "evictions are paused" } };
    });
    await guard.listen();
    const store = sim.server.store;
    const pods = store.registry.resource("", "v1", "pods");
    assert.ok(pods);
    store.create(pods, "default", {
      metadata: { name: "guarded" },
      spec: { nodeName: "n1", containers: [{ name: "app", image: "nginx:1.27" }] },
    });
    try {
      const registered = await sim.kubectl(["apply", "-f", "-"], {
        stdin: `apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingWebhookConfiguration
metadata: {name: eviction-guard}
webhooks:
  - name: deny-evictions.test.example
    admissionReviewVersions: ["v1"]
    sideEffects: None
    clientConfig:
      url: https://127.0.0.1:${guard.port}/validate
      caBundle: ${Buffer.from(ca.ca).toString("base64")}
    rules: [{apiGroups: [""], apiVersions: ["v1"], resources: ["pods/eviction"], operations: ["CREATE"]}]
`,
      });
      assert.equal(registered.code, 0, registered.stderr);
      const evicted = await sim.kubectl(
        ["create", "--raw", "/api/v1/namespaces/default/pods/guarded/eviction", "-f", "-"],
        {
          stdin: JSON.stringify({
            apiVersion: "policy/v1",
            kind: "Eviction",
            metadata: { name: "guarded", namespace: "default" },
          }),
        },
      );
      assert.notEqual(evicted.code, 0);
      assert.match(
        evicted.stderr,
        /Error from server \(Forbidden\): admission webhook "deny-evictions\.test\.example" denied the request: evictions are paused/,
      );
      assert.deepEqual(seen?.kind, { group: "policy", version: "v1", kind: "Eviction" });
      assert.deepEqual(seen?.resource, { group: "", version: "v1", resource: "pods" });
      assert.equal(seen?.subResource, "eviction");
      assert.equal(seen?.operation, "CREATE");
      assert.ok(store.find(pods, "default", "guarded"), "the pod was not evicted");
    } finally {
      await sim.kubectl(["delete", "validatingwebhookconfiguration", "eviction-guard"]);
      await guard.close();
    }
  });

  test("server-side apply is admitted as a CREATE, then as an UPDATE, and a validating webhook can deny it", async () => {
    const seen: { operation: unknown; data: unknown; oldData: unknown }[] = [];
    const judge = new TestHttpsServer(ca, ["IP:127.0.0.1"], (review) => {
      const request = review.request as {
        operation: string;
        object: { data?: Record<string, string> };
        oldObject?: { data?: Record<string, string> } | null;
      };
      seen.push({ operation: request.operation, data: request.object.data, oldData: request.oldObject?.data });
      return request.object.data?.mode === "deny"
        ? { allowed: false, status: { code: 403, reason: "Forbidden", message: "mode deny is not allowed" } }
        : { allowed: true };
    });
    await judge.listen();
    const DENIED =
      'Error from server (Forbidden): admission webhook "judge.test.example" denied the request: mode deny is not allowed\n';
    const applied = (mode: string) =>
      `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: applied}\ndata: {mode: ${mode}}\n`;
    try {
      const registered = await sim.kubectl(["apply", "-f", "-"], {
        stdin: `apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingWebhookConfiguration
metadata: {name: apply-judge}
webhooks:
  - name: judge.test.example
    admissionReviewVersions: ["v1"]
    sideEffects: None
    clientConfig:
      url: https://127.0.0.1:${judge.port}/validate
      caBundle: ${Buffer.from(ca.ca).toString("base64")}
    objectSelector: {}
    matchConditions: [{name: named-applied, expression: "object.metadata.name == 'applied'"}]
    rules: [{apiGroups: [""], apiVersions: ["v1"], resources: ["configmaps"], operations: ["CREATE", "UPDATE"]}]
`,
      });
      assert.equal(registered.code, 0, registered.stderr);
      const store = sim.server.store;
      const configMaps = store.registry.resource("", "v1", "configmaps");
      assert.ok(configMaps);

      const deniedCreate = await sim.kubectl(["apply", "--server-side", "-f", "-"], { stdin: applied("deny") });
      assert.notEqual(deniedCreate.code, 0);
      // kubectl's apply --server-side prints the API server's Status as it is (no "error when creating").
      assert.equal(deniedCreate.stderr, DENIED);
      assert.equal(store.find(configMaps, "default", "applied"), undefined, "the denied apply created nothing");

      const created = await sim.kubectl(["apply", "--server-side", "-f", "-"], { stdin: applied("allow") });
      assert.equal(created.code, 0, created.stderr);
      assert.match(created.stdout, /configmap\/applied serverside-applied/);

      const deniedUpdate = await sim.kubectl(["apply", "--server-side", "-f", "-"], { stdin: applied("deny") });
      assert.notEqual(deniedUpdate.code, 0);
      assert.equal(deniedUpdate.stderr, DENIED);
      assert.deepEqual(store.find(configMaps, "default", "applied")?.data, { mode: "allow" });
      assert.deepEqual(seen, [
        { operation: "CREATE", data: { mode: "deny" }, oldData: undefined },
        { operation: "CREATE", data: { mode: "allow" }, oldData: undefined },
        { operation: "UPDATE", data: { mode: "deny" }, oldData: { mode: "allow" } },
      ]);
    } finally {
      await sim.kubectl(["delete", "validatingwebhookconfiguration", "apply-judge"]);
      await judge.close();
    }
  });

  test("a mutating webhook with reinvocationPolicy IfNeeded is called again after a later one changes the object", async () => {
    // The first webhook records whether the object already carries the second one's label.
    const first = new TestHttpsServer(ca, ["IP:127.0.0.1"], (review) => {
      const request = review.request as { object: { metadata: { labels?: Record<string, string> } } };
      const saw = request.object.metadata.labels?.second === "yes" ? "true" : "false";
      const patch = [{ op: "add", path: "/metadata/annotations", value: { "first-saw-second": saw } }];
      return { allowed: true, patchType: "JSONPatch", patch: Buffer.from(JSON.stringify(patch)).toString("base64") };
    });
    const second = new TestHttpsServer(ca, ["IP:127.0.0.1"], () => {
      const patch = [{ op: "add", path: "/metadata/labels", value: { second: "yes" } }];
      return { allowed: true, patchType: "JSONPatch", patch: Buffer.from(JSON.stringify(patch)).toString("base64") };
    });
    await first.listen();
    await second.listen();
    const configuration = (
      name: string,
      port: number,
      reinvocation: string,
    ) => `apiVersion: admissionregistration.k8s.io/v1
kind: MutatingWebhookConfiguration
metadata: {name: ${name}}
webhooks:
  - name: ${name}.test.example
    admissionReviewVersions: ["v1"]
    sideEffects: None
    reinvocationPolicy: ${reinvocation}
    clientConfig:
      url: https://127.0.0.1:${port}/mutate
      caBundle: ${Buffer.from(ca.ca).toString("base64")}
    rules: [{apiGroups: [""], apiVersions: ["v1"], resources: ["secrets"], operations: ["CREATE"]}]
`;
    try {
      // Configurations are called in name order: "a-first" before "b-second".
      const registered = await sim.kubectl(["apply", "-f", "-"], {
        stdin: `${configuration("a-first", first.port, "IfNeeded")}---\n${configuration("b-second", second.port, "Never")}`,
      });
      assert.equal(registered.code, 0, registered.stderr);
      const created = await sim.kubectl(["apply", "-f", "-"], {
        stdin: "apiVersion: v1\nkind: Secret\nmetadata: {name: reinvoked}\nstringData: {a: b}\n",
      });
      assert.equal(created.code, 0, created.stderr);
      const seen = await sim.kubectl([
        "get",
        "secret",
        "reinvoked",
        "-o",
        "jsonpath={.metadata.annotations.first-saw-second} {.metadata.labels.second}",
      ]);
      assert.equal(seen.stdout, "true yes");
      assert.equal(first.calls, 2);
      assert.equal(second.calls, 1);
    } finally {
      await sim.kubectl(["delete", "mutatingwebhookconfiguration", "a-first", "b-second"]);
      await first.close();
      await second.close();
    }
  });
});

// kubectl create configmap sends protobuf, which the simulated cluster does not read: apply YAML.
function configMap(name: string): string {
  return `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: ${name}}\ndata: {a: b}\n`;
}

async function pointEndpointSliceAt(port: number): Promise<void> {
  const result = await sim.kubectl([
    "patch",
    "endpointslice",
    "poolkeeper-webhook-1",
    "-n",
    "poolkeeper",
    "--type=json",
    "-p",
    JSON.stringify([{ op: "replace", path: "/ports/0/port", value: port }]),
  ]);
  assert.equal(result.code, 0, result.stderr);
}

/** A tiny HTTPS webhook answering each AdmissionReview with `answer(review)` (undefined: never answers). */
class TestHttpsServer {
  calls = 0;
  port = 0;
  readonly #server: Server;
  constructor(
    ca: TestCa,
    altNames: string[],
    answer: (review: Record<string, unknown>) => Record<string, unknown> | undefined,
  ) {
    const cert = ca.issue(`test-${altNames.join("-").replace(/[^a-z0-9]/gi, "")}`, { altNames });
    this.#server = createServer({ cert: cert.cert, key: cert.key }, (req, res) => {
      let body = "";
      req.on("data", (c: Buffer) => (body += c.toString("utf8")));
      req.on("end", () => {
        this.calls += 1;
        const review = JSON.parse(body) as { request: { uid: string } } & Record<string, unknown>;
        const response = answer(review);
        if (!response) return; // hold the request open
        res.writeHead(200, { "content-type": "application/json" }).end(
          JSON.stringify({
            apiVersion: "admission.k8s.io/v1",
            kind: "AdmissionReview",
            response: { uid: review.request.uid, ...response },
          }),
        );
      });
    });
  }
  async listen(): Promise<void> {
    await new Promise<void>((resolve) => this.#server.listen(0, "127.0.0.1", resolve));
    this.port = (this.#server.address() as { port: number }).port;
  }
  async close(): Promise<void> {
    this.#server.closeAllConnections();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }
}
