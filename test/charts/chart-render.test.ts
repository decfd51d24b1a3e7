// charts/poolkeeper with the real helm 4: `helm lint --strict`, `helm template` of the default values and of value
// sets for each mode and option, read back as objects and checked for what a platform team reviews (system nodes
// only, hardened pods, probes, webhook rules and TLS), the values Helm must refuse, and `helm package`.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { createPrivateKey, X509Certificate } from "node:crypto";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, test } from "node:test";
import { list as listTar } from "tar";
import { parse } from "yaml";
import {
  CHART_DIR,
  helm,
  NAMESPACE,
  one,
  podSpec,
  REQUIRED_VALUES,
  template,
  withValues,
  type KubeObject,
} from "../support/helm-chart.ts";

const POLICY = {
  apiVersion: "poolkeeper.dev/v1alpha1",
  kind: "PoolPolicy",
  metadata: { name: "platform" },
  spec: { rules: { "storage.encrypted": { enforcement: "deny" } } },
};

/** The value sets rendered: each mode, each TLS mode, the Git gate, the StatefulSet, the ServiceMonitor. */
const GIT_GATE = withValues(REQUIRED_VALUES, {
  git: {
    url: "https://git.example.com/platform/pools.git",
    credentialsSecret: "pools-git",
    statusBranch: "status",
    hookSecret: "pools-hook",
  },
  policy: { preset: "strict", inline: POLICY },
});
const AUTOSCALER = withValues(REQUIRED_VALUES, {
  mode: "autoscaler",
  settings: { interruptionQueue: "prod-eu-interruptions", awsRegion: "eu-west-1" },
  git: { url: "https://git.example.com/platform/pools.git" },
  policy: { configMapName: "platform-policies", configMapKeys: ["base.yaml", "gpu.yaml"] },
  tls: { mode: "certManager" },
  gitCache: { persistence: { enabled: true, storageClassName: "gp3" } },
  serviceMonitor: { enabled: true },
  serviceAccount: { annotations: { "eks.amazonaws.com/role-arn": "arn:aws:iam::111122223333:role/poolkeeper" } },
});
const VALUE_SETS: Record<string, object> = {
  "defaults (policy mode, webhook only)": REQUIRED_VALUES,
  "policy mode with the Git gate and an inline policy": GIT_GATE,
  "autoscaler mode with cert-manager, persistence and a ServiceMonitor": AUTOSCALER,
};

const WORKLOAD_KINDS = new Set(["Deployment", "StatefulSet"]);

function workloads(objects: readonly KubeObject[]): KubeObject[] {
  return objects.filter((o) => WORKLOAD_KINDS.has(o.kind));
}

function flagValue(args: readonly string[], flag: string): string | undefined {
  return args.find((a) => a.startsWith(`${flag}=`))?.slice(flag.length + 1);
}

describe("helm lint", () => {
  test("--strict passes with the required values", async () => {
    const file = join(mkdtempSync(join(tmpdir(), "poolkeeper-lint-")), "values.json");
    try {
      writeFileSync(file, JSON.stringify(REQUIRED_VALUES));
      const result = await helm(["lint", "--strict", CHART_DIR, "-f", file]);
      assert.equal(result.code, 0, result.stdout + result.stderr);
      assert.match(result.stdout, /1 chart\(s\) linted, 0 chart\(s\) failed/);
    } finally {
      rmSync(join(file, ".."), { recursive: true, force: true });
    }
  });
});

describe("helm template", () => {
  for (const [name, values] of Object.entries(VALUE_SETS)) {
    test(`${name}: every pod on system nodes only, hardened, spread, probed`, async () => {
      const { code, stderr, objects } = await template(values);
      assert.equal(code, 0, stderr);
      const found = workloads(objects);
      assert.ok(found.length > 0, "renders a workload");
      for (const workload of found) {
        const where = `${workload.kind}/${workload.metadata.name}`;
        const spec = podSpec(workload);
        if (workload.kind === "Deployment") {
          // One replica at a time: at most one replica per node, so a surge pod may find no system node.
          const strategy = (workload.spec as { strategy: unknown }).strategy;
          assert.deepEqual(strategy, { rollingUpdate: { maxUnavailable: 1, maxSurge: 0 } }, where);
        }
        assert.deepEqual(spec.nodeSelector, { "node-role.kubernetes.io/system": "true" }, where);
        assert.deepEqual(spec.tolerations, [{ key: "CriticalAddonsOnly", operator: "Exists" }], where);
        assert.equal(spec.priorityClassName, "system-cluster-critical", where);
        assert.deepEqual(
          spec.securityContext,
          {
            runAsNonRoot: true,
            runAsUser: 1000,
            runAsGroup: 1000,
            fsGroup: 1000,
            seccompProfile: { type: "RuntimeDefault" },
          },
          where,
        );
        const spread = spec.topologySpreadConstraints as { topologyKey: string; labelSelector: unknown }[];
        const selector = (workload.spec as { selector: { matchLabels: unknown } }).selector;
        assert.deepEqual(
          spread.map((c) => [c.topologyKey, c.labelSelector]),
          [["topology.kubernetes.io/zone", { matchLabels: selector.matchLabels }]],
          `${where} spreads its own pods over zones`,
        );
        for (const container of spec.containers) {
          assert.deepEqual(
            container.securityContext,
            {
              allowPrivilegeEscalation: false,
              readOnlyRootFilesystem: true,
              runAsNonRoot: true,
              capabilities: { drop: ["ALL"] },
              seccompProfile: { type: "RuntimeDefault" },
            },
            where,
          );
          // The probes hit the port the process is told to listen on, by the port's name.
          const ports = container.ports as { name: string; containerPort: number }[];
          const port = ports[0] as { name: string; containerPort: number };
          assert.equal(String(port.containerPort), flagValue(container.args, "--port"), where);
          const probes = [container.readinessProbe, container.livenessProbe] as { httpGet: Record<string, string> }[];
          assert.deepEqual(
            probes.map((p) => [p.httpGet.path, p.httpGet.port]),
            [
              ["/readyz", port.name],
              ["/healthz", port.name],
            ],
            where,
          );
        }
        const budget = objects.find(
          (o) =>
            o.kind === "PodDisruptionBudget" &&
            JSON.stringify((o.spec as { selector: unknown }).selector) === JSON.stringify(selector),
        );
        assert.ok(budget, `${where} has a PodDisruptionBudget`);
      }
      for (const object of objects) {
        if (object.kind !== "CustomResourceDefinition" && !object.kind.endsWith("WebhookConfiguration")) {
          if (!object.kind.startsWith("Cluster")) assert.equal(object.metadata.namespace, NAMESPACE, object.kind);
        }
      }
    });
  }

  test("policy mode: serve and sync with the chart's files and flags, no ServiceAccount token", async () => {
    const { code, stderr, objects } = await template(GIT_GATE);
    assert.equal(code, 0, stderr);
    const webhook = podSpec(one(objects, "Deployment", "poolkeeper-webhook"));
    assert.deepEqual(webhook.containers[0]?.args, [
      "serve",
      "--port=9443",
      "--tls-cert=/etc/poolkeeper/tls/tls.crt",
      "--tls-key=/etc/poolkeeper/tls/tls.key",
      "--preset=strict",
      "--policy=/etc/poolkeeper/policies/policy.yaml",
      "--log-level=info",
    ]);
    const controller = podSpec(one(objects, "Deployment", "poolkeeper-controller"));
    assert.deepEqual(controller.containers[0]?.args, [
      "sync",
      "--repo=https://git.example.com/platform/pools.git",
      "--branch=main",
      "--cache-dir=/var/cache/poolkeeper",
      "--config=/etc/poolkeeper/config/poolkeeper.yaml",
      "--policy=/etc/poolkeeper/policies/policy.yaml",
      "--port=8080",
      "--log-level=info",
    ]);
    assert.equal((one(objects, "Deployment", "poolkeeper-controller").spec as { replicas: number }).replicas, 1);
    for (const spec of [webhook, controller]) assert.equal(spec.automountServiceAccountToken, false);
    assert.equal(one(objects, "ServiceAccount").automountServiceAccountToken, false);
    assert.deepEqual(
      objects.filter((o) => o.kind.includes("Role")).map((o) => o.kind),
      [],
      "policy mode makes no API call, so it is granted nothing",
    );
    // The inline policy is the ConfigMap's file; the generated poolkeeper.yaml names the cluster and status branch.
    const policy = one(objects, "ConfigMap", "poolkeeper-policy");
    assert.deepEqual(parse((policy.data as Record<string, string>)["policy.yaml"] ?? ""), POLICY);
    const config = parse(
      (one(objects, "ConfigMap", "poolkeeper-config").data as Record<string, string>)["poolkeeper.yaml"] ?? "",
    );
    assert.deepEqual(config.spec, {
      cluster: "prod-eu",
      branch: "main",
      preset: "strict",
      status: { branch: "status" },
    });
    const env = controller.containers[0]?.env as { name: string; valueFrom?: { secretKeyRef: unknown } }[];
    assert.deepEqual(
      env.filter((e) => e.valueFrom).map((e) => [e.name, e.valueFrom?.secretKeyRef]),
      [
        ["POOLKEEPER_GIT_TOKEN", { name: "pools-git", key: "token", optional: true }],
        ["POOLKEEPER_GIT_USERNAME", { name: "pools-git", key: "username", optional: true }],
        ["POOLKEEPER_GIT_PASSWORD", { name: "pools-git", key: "password", optional: true }],
        ["POOLKEEPER_GITHUB_WEBHOOK_SECRET", { name: "pools-hook", key: "github-secret", optional: true }],
        ["POOLKEEPER_GITLAB_WEBHOOK_TOKEN", { name: "pools-hook", key: "gitlab-token", optional: true }],
      ],
    );
  });

  test("autoscaler mode: run with the guide's settings, a StatefulSet with a claim per replica", async () => {
    const { code, stderr, objects } = await template(AUTOSCALER);
    assert.equal(code, 0, stderr);
    const controller = one(objects, "StatefulSet", "poolkeeper-controller");
    const spec = podSpec(controller);
    assert.deepEqual(spec.containers[0]?.args, [
      "run",
      "--cluster-name=prod-eu",
      "--interruption-queue=prod-eu-interruptions",
      "--leader-election-name=poolkeeper-leader-election",
      "--leader-election-namespace=kube-system",
      "--karpenter-lease-name=karpenter-leader-election",
      "--karpenter-lease-namespace=kube-system",
      "--repo=https://git.example.com/platform/pools.git",
      "--branch=main",
      "--cache-dir=/var/cache/poolkeeper",
      "--policy=/etc/poolkeeper/policies/base.yaml",
      "--policy=/etc/poolkeeper/policies/gpu.yaml",
      "--port=8080",
      "--log-level=info",
    ]);
    assert.deepEqual(spec.containers[0]?.resources, {
      requests: { cpu: "500m", memory: "512Mi" },
      limits: { cpu: "1", memory: "1Gi" },
    });
    assert.equal((controller.spec as { replicas: number }).replicas, 2);
    assert.equal(spec.automountServiceAccountToken, true);
    const claims = (controller.spec as { volumeClaimTemplates: { metadata: { name: string }; spec: unknown }[] })
      .volumeClaimTemplates;
    assert.deepEqual(
      claims.map((c) => [c.metadata.name, c.spec]),
      [
        [
          "git-cache",
          { accessModes: ["ReadWriteOnce"], storageClassName: "gp3", resources: { requests: { storage: "2Gi" } } },
        ],
      ],
    );
    assert.deepEqual(one(objects, "ServiceAccount").metadata.annotations, {
      "eks.amazonaws.com/role-arn": "arn:aws:iam::111122223333:role/poolkeeper",
    });
    // cert-manager: the serving certificate for the service's names, the CA injected, no Secret made by the chart.
    const certificate = one(objects, "Certificate", "poolkeeper-webhook");
    assert.deepEqual((certificate.spec as { dnsNames: string[] }).dnsNames, [
      "poolkeeper-webhook.kube-system.svc",
      "poolkeeper-webhook.kube-system.svc.cluster.local",
    ]);
    assert.equal(objects.filter((o) => o.kind === "Secret").length, 0);
    for (const kind of ["ValidatingWebhookConfiguration", "MutatingWebhookConfiguration"]) {
      const configuration = one(objects, kind);
      assert.equal(
        configuration.metadata.annotations?.["cert-manager.io/inject-ca-from"],
        "kube-system/poolkeeper-webhook",
      );
      const [webhook] = configuration.webhooks as { clientConfig: { caBundle?: string } }[];
      assert.equal(webhook?.clientConfig.caBundle, undefined, `${kind}: left for the CA injector`);
    }
    assert.deepEqual(
      objects
        .filter((o) => o.kind === "ServiceMonitor")
        .map((o) => o.metadata.name)
        .sort(),
      ["poolkeeper-controller", "poolkeeper-webhook"],
    );
  });

  test("the controller's memory settings: NODE_OPTIONS and glibc's from the values, absent when unset", async () => {
    const envOf = async (values: object) => {
      const { code, stderr, objects } = await template(values);
      assert.equal(code, 0, stderr);
      const env = podSpec(one(objects, "StatefulSet", "poolkeeper-controller")).containers[0]?.env as {
        name: string;
        value?: string;
      }[];
      return Object.fromEntries(
        env.filter((e) => e.name === "NODE_OPTIONS" || e.name.startsWith("MALLOC_")).map((e) => [e.name, e.value]),
      );
    };
    // The defaults: what docs/performance.md measured (values.yaml says why); run's old-generation limit in
    // autoscaler mode only (sync holds a whole pool repository, which the limit was not measured for).
    assert.deepEqual(await envOf(AUTOSCALER), {
      NODE_OPTIONS: "--max-semi-space-size=4 --expose-gc --max-old-space-size=256",
      MALLOC_ARENA_MAX: "2",
      MALLOC_MMAP_THRESHOLD_: "32768",
    });
    assert.deepEqual(await envOf(withValues(AUTOSCALER, { mode: "policy" })), {
      NODE_OPTIONS: "--max-semi-space-size=4 --expose-gc",
      MALLOC_ARENA_MAX: "2",
      MALLOC_MMAP_THRESHOLD_: "32768",
    });
    assert.deepEqual(
      await envOf(
        withValues(AUTOSCALER, {
          controller: {
            nodeOptions: "--max-semi-space-size=8",
            runMaxOldSpaceSize: 512,
            mallocArenaMax: 4,
            mallocMmapThreshold: 65536,
          },
        }),
      ),
      {
        NODE_OPTIONS: "--max-semi-space-size=8 --max-old-space-size=512",
        MALLOC_ARENA_MAX: "4",
        MALLOC_MMAP_THRESHOLD_: "65536",
      },
    );
    assert.deepEqual(await envOf(withValues(AUTOSCALER, { controller: { nodeOptions: null } })), {
      NODE_OPTIONS: "--max-old-space-size=256",
      MALLOC_ARENA_MAX: "2",
      MALLOC_MMAP_THRESHOLD_: "32768",
    });
    assert.deepEqual(
      await envOf(
        withValues(AUTOSCALER, {
          controller: { nodeOptions: null, runMaxOldSpaceSize: null, mallocArenaMax: null, mallocMmapThreshold: null },
        }),
      ),
      {},
    );
  });

  test("run's node flags: on node's command line before the image's entry point, which Node accepts", async () => {
    const containerOf = async (values: object) => {
      const { code, stderr, objects } = await template(values);
      assert.equal(code, 0, stderr);
      const container = podSpec(one(objects, "StatefulSet", "poolkeeper-controller")).containers[0];
      const command = container?.command as string[] | undefined;
      const env = (container?.env ?? []) as { name: string; value?: string }[];
      return { command, nodeOptions: env.find((e) => e.name === "NODE_OPTIONS")?.value };
    };
    // The image's entry point, from the Dockerfile: the command must run the same script.
    const entrypoint = JSON.parse(
      /^ENTRYPOINT\s+(\[.*\])\s*$/m.exec(readFileSync(join(CHART_DIR, "..", "..", "Dockerfile"), "utf8"))?.[1] ??
        "null",
    ) as string[];
    const [node, ...script] = entrypoint;
    // The default: --optimize-for-size before the image's entry point (the e2e bench's peak RSS under the target with
    // it), and a NODE_OPTIONS Node starts with.
    const defaults = await containerOf(AUTOSCALER);
    assert.deepEqual(defaults.command, [node, "--optimize-for-size", ...script]);
    const plain = spawnSync(process.execPath, ["-e", "0"], {
      env: { PATH: process.env.PATH, NODE_OPTIONS: defaults.nodeOptions ?? "" },
      encoding: "utf8",
    });
    assert.equal(plain.status, 0, plain.stderr);
    // --optimize-for-size: Node refuses it in NODE_OPTIONS ("is not allowed in NODE_OPTIONS") and exits, so the
    // chart puts it on node's command line, where the process starts with it and the chart's NODE_OPTIONS.
    const refused = spawnSync(process.execPath, ["-e", "0"], {
      env: { PATH: process.env.PATH, NODE_OPTIONS: `${defaults.nodeOptions ?? ""} --optimize-for-size` },
      encoding: "utf8",
    });
    assert.notEqual(refused.status, 0, "NODE_OPTIONS with --optimize-for-size: why the flag is not in nodeOptions");
    const optimized = await containerOf(
      withValues(AUTOSCALER, { controller: { runNodeFlags: "--optimize-for-size" } }),
    );
    assert.deepEqual(optimized.command, [node, "--optimize-for-size", ...script]);
    const started = spawnSync(process.execPath, [...(optimized.command ?? []).slice(1, -1), "-e", "0"], {
      env: { PATH: process.env.PATH, NODE_OPTIONS: optimized.nodeOptions ?? "" },
      encoding: "utf8",
    });
    assert.equal(started.status, 0, started.stderr);
    // Two flags, split on spaces; none in policy mode (sync was not measured with them) or when null.
    assert.deepEqual(
      (await containerOf(withValues(AUTOSCALER, { controller: { runNodeFlags: " --optimize-for-size  --trace-gc" } })))
        .command,
      [node, "--optimize-for-size", "--trace-gc", ...script],
    );
    assert.equal(
      (await containerOf(withValues(AUTOSCALER, { mode: "policy", controller: { runNodeFlags: "--trace-gc" } })))
        .command,
      undefined,
    );
    assert.equal(
      (await containerOf(withValues(AUTOSCALER, { controller: { runNodeFlags: null } }))).command,
      undefined,
    );
    assert.equal((await containerOf(withValues(AUTOSCALER, { controller: { runNodeFlags: "" } }))).command, undefined);
  });

  test("the webhooks: Karpenter's two kinds only, sideEffects None, v1, poolkeeper and Karpenter exempted", async () => {
    const { code, stderr, objects } = await template(REQUIRED_VALUES);
    assert.equal(code, 0, stderr);
    const expected = {
      ValidatingWebhookConfiguration: { path: "/validate", operations: ["CREATE", "UPDATE", "DELETE"] },
      MutatingWebhookConfiguration: { path: "/mutate", operations: ["CREATE"] },
    };
    for (const [kind, { path, operations }] of Object.entries(expected)) {
      const [webhook, ...others] = one(objects, kind).webhooks as Record<string, unknown>[];
      assert.equal(others.length, 0);
      assert.ok(webhook);
      assert.equal(webhook.sideEffects, "None");
      assert.deepEqual(webhook.admissionReviewVersions, ["v1"]);
      assert.equal(webhook.failurePolicy, "Fail");
      assert.equal(webhook.timeoutSeconds, 10);
      // Only NodePools and EC2NodeClasses: no rule can match poolkeeper's own Deployments, pods or Leases.
      assert.deepEqual(webhook.rules, [
        { apiGroups: ["karpenter.sh"], apiVersions: ["*"], resources: ["nodepools"], operations, scope: "Cluster" },
        {
          apiGroups: ["karpenter.k8s.aws"],
          apiVersions: ["*"],
          resources: ["ec2nodeclasses"],
          operations,
          scope: "Cluster",
        },
      ]);
      assert.deepEqual((webhook.clientConfig as { service: unknown }).service, {
        name: "poolkeeper-webhook",
        namespace: NAMESPACE,
        path,
        port: 443,
      });
      assert.deepEqual(webhook.matchConditions, [
        {
          name: "not-exempt-user",
          expression:
            "!(request.userInfo.username in ['system:serviceaccount:kube-system:poolkeeper', 'system:serviceaccount:kube-system:karpenter'])",
        },
      ]);
    }
    // The Service's 443 reaches the container's webhook port, which only the API server's CIDRs may reach.
    const service = one(objects, "Service", "poolkeeper-webhook");
    assert.deepEqual((service.spec as { ports: unknown }).ports, [
      { name: "https", port: 443, targetPort: "https", protocol: "TCP" },
    ]);
    const policy = one(objects, "NetworkPolicy");
    assert.deepEqual(policy.spec, {
      podSelector: {
        matchLabels: {
          "app.kubernetes.io/name": "poolkeeper",
          "app.kubernetes.io/instance": "poolkeeper",
          "app.kubernetes.io/component": "webhook",
        },
      },
      policyTypes: ["Ingress"],
      ingress: [{ ports: [{ port: 9443, protocol: "TCP" }], from: [{ ipBlock: { cidr: "10.0.0.0/16" } }] }],
    });
  });

  test("generated TLS: the caBundle is the CA that signed the serving certificate, for the service's names", async () => {
    const { code, stderr, objects } = await template(REQUIRED_VALUES);
    assert.equal(code, 0, stderr);
    const data = one(objects, "Secret", "poolkeeper-webhook-tls").data as Record<string, string>;
    const ca = new X509Certificate(Buffer.from(data["ca.crt"] ?? "", "base64"));
    const serving = new X509Certificate(Buffer.from(data["tls.crt"] ?? "", "base64"));
    for (const kind of ["ValidatingWebhookConfiguration", "MutatingWebhookConfiguration"]) {
      const [webhook] = one(objects, kind).webhooks as { clientConfig: { caBundle: string } }[];
      assert.equal(webhook?.clientConfig.caBundle, data["ca.crt"], kind);
    }
    assert.ok(ca.ca, "ca.crt is a CA");
    assert.ok(serving.verify(ca.publicKey), "the serving certificate is signed by the CA in caBundle");
    assert.ok(serving.checkIssued(ca));
    assert.equal(serving.checkHost("poolkeeper-webhook.kube-system.svc"), "poolkeeper-webhook.kube-system.svc");
    assert.ok(serving.checkPrivateKey(createPrivateKey(Buffer.from(data["tls.key"] ?? "", "base64"))));
  });

  test("CRDs: the upstream ones the project carries, byte for byte, installed by --include-crds", async () => {
    const carried = readdirSync(new URL("../../api/crds/", import.meta.url)).filter((f) => f.endsWith(".yaml"));
    assert.deepEqual(readdirSync(join(CHART_DIR, "crds")).sort(), carried.sort());
    for (const file of carried) {
      assert.ok(
        readFileSync(join(CHART_DIR, "crds", file)).equals(
          readFileSync(new URL(`../../api/crds/${file}`, import.meta.url)),
        ),
        file,
      );
    }
    const { code, stderr, objects } = await template(REQUIRED_VALUES, ["--include-crds"]);
    assert.equal(code, 0, stderr);
    assert.deepEqual(
      objects
        .filter((o) => o.kind === "CustomResourceDefinition")
        .map((o) => o.metadata.name)
        .sort(),
      ["ec2nodeclasses.karpenter.k8s.aws", "nodeclaims.karpenter.sh", "nodepools.karpenter.sh"],
    );
  });
});

describe("values Helm refuses", () => {
  test("a missing settings.clusterName fails with its message", async () => {
    const { code, stderr } = await template({ networkPolicy: REQUIRED_VALUES.networkPolicy });
    assert.notEqual(code, 0);
    assert.match(stderr, /settings\.clusterName is required: the name of the EKS cluster poolkeeper runs in/);
  });

  test("the NetworkPolicy without the API server's CIDRs fails with its message", async () => {
    const { code, stderr } = await template({ settings: REQUIRED_VALUES.settings });
    assert.notEqual(code, 0);
    assert.match(stderr, /networkPolicy\.apiServerCIDRs is required while networkPolicy\.enabled is true/);
  });

  test("an existing ServiceAccount without its name fails with its message", async () => {
    const { code, stderr } = await template(withValues(REQUIRED_VALUES, { serviceAccount: { create: false } }));
    assert.notEqual(code, 0);
    assert.match(stderr, /serviceAccount\.name is required when serviceAccount\.create is false/);
  });

  const refused: [string, object, RegExp][] = [
    ["an unknown mode", { mode: "both" }, /at '\/mode': value must be one of 'policy', 'autoscaler'/],
    [
      "a misspelt key",
      { webhook: { failurePolicyy: "Fail" } },
      /at '\/webhook': additional properties 'failurePolicyy' not allowed/,
    ],
    [
      "an unknown failurePolicy",
      { webhook: { failurePolicy: "Never" } },
      /at '\/webhook\/failurePolicy': value must be one of 'Fail', 'Ignore'/,
    ],
    [
      "a timeout over the API server's 30 s",
      { webhook: { timeoutSeconds: 45 } },
      /at '\/webhook\/timeoutSeconds': maximum: got 45, want 30/,
    ],
    ["a privileged webhook port", { webhook: { port: 443 } }, /at '\/webhook\/port': minimum: got 443, want 1,024/],
    ["replicas as a string", { replicas: "2" }, /at '\/replicas': got string, want integer/],
    [
      "a bad CPU quantity",
      { controller: { resources: { requests: { cpu: "half" } } } },
      /at '\/controller\/resources\/requests\/cpu'/,
    ],
    ["an SSH Git URL", { git: { url: "git@example.com:pools.git" } }, /at '\/git\/url'/],
    [
      "an unknown TLS mode",
      { tls: { mode: "selfSigned" } },
      /at '\/tls\/mode': value must be one of 'generate', 'certManager'/,
    ],
    ["a cluster name EKS refuses", { settings: { clusterName: "-prod" } }, /at '\/settings\/clusterName'/],
  ];
  for (const [what, values, message] of refused) {
    test(`${what}, through values.schema.json`, async () => {
      const { code, stderr } = await template(withValues(REQUIRED_VALUES, values));
      assert.notEqual(code, 0, `${what} is refused`);
      assert.match(stderr, /values don't meet the specifications of the schema/);
      assert.match(stderr, message);
    });
  }
});

describe("helm package", () => {
  test("produces the chart archive with its schema, CRDs, templates and RBAC rules", async () => {
    const dir = mkdtempSync(join(tmpdir(), "poolkeeper-package-"));
    try {
      const result = await helm(["package", CHART_DIR, "--destination", dir]);
      assert.equal(result.code, 0, result.stderr);
      assert.deepEqual(readdirSync(dir), ["poolkeeper-0.1.0.tgz"]);
      const entries: string[] = [];
      await listTar({ file: join(dir, "poolkeeper-0.1.0.tgz"), onReadEntry: (entry) => entries.push(entry.path) });
      for (const path of [
        "poolkeeper/Chart.yaml",
        "poolkeeper/values.yaml",
        "poolkeeper/values.schema.json",
        "poolkeeper/crds/karpenter.sh_nodepools.yaml",
        "poolkeeper/templates/webhook-configurations.yaml",
        "poolkeeper/templates/NOTES.txt",
        "poolkeeper/rbac/autoscaler-cluster-rules.yaml",
      ]) {
        assert.ok(entries.includes(path), `${path} in ${entries.join(", ")}`);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
