// Host ports and volume topology in the scheduler. Host ports: Karpenter's "should schedule pods with the same host
// port to different nodes" (suite_test.go) and kube-scheduler's NodePorts rule that 0.0.0.0 clashes with every
// address of the same port and protocol. Volumes: an EBS volume lives in one zone, so a pod bound to it can only run
// there (Karpenter's volumetopology.go), worked by hand.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import {
  catalogTypes,
  claimDomain,
  HOSTNAME,
  messages,
  nodePool,
  pod,
  run,
  ZONE,
} from "../../support/scheduling-fixtures.ts";
import type { DaemonSet } from "../../../api/index.ts";
import { parseResourceList } from "../../../scheduling/index.ts";

const types = catalogTypes("m5.large", "m5.xlarge");
const withPort = (hostPort: number, hostIP?: string, protocol?: string) => ({
  containers: [
    {
      name: "c",
      resources: { requests: { cpu: "100m" } },
      ports: [{ containerPort: 8080, hostPort, ...(hostIP ? { hostIP } : {}), ...(protocol ? { protocol } : {}) }],
    },
  ],
});
const podsPerClaim = (result: ReturnType<typeof run>) => result.newNodeClaims.map((c) => c.pods.length);

describe("host ports", () => {
  test("should schedule pods with the same host port to different nodes", () => {
    assert.deepEqual(
      podsPerClaim(run([pod({}, withPort(8080)), pod({}, withPort(8080))], [nodePool("d")], types)),
      [1, 1],
    );
  });
  test("different ports, or the same port over UDP and TCP, share a node", () => {
    assert.deepEqual(
      podsPerClaim(run([pod({}, withPort(8080)), pod({}, withPort(8081))], [nodePool("d")], types)),
      [2],
    );
    assert.deepEqual(
      podsPerClaim(run([pod({}, withPort(53, undefined, "UDP")), pod({}, withPort(53))], [nodePool("d")], types)),
      [2],
    );
  });
  test("two specific addresses share a port; 0.0.0.0 clashes with a specific one", () => {
    const a = pod({}, withPort(80, "10.0.0.1"));
    const b = pod({}, withPort(80, "10.0.0.2"));
    assert.deepEqual(podsPerClaim(run([a, b], [nodePool("d")], types)), [2]);
    assert.deepEqual(podsPerClaim(run([a, pod({}, withPort(80))], [nodePool("d")], types)), [1, 1]);
  });
  test("an existing node whose pods hold the port is passed over", () => {
    const node = {
      name: "busy",
      nodePool: undefined,
      labels: { [ZONE]: "us-east-1a", [HOSTNAME]: "busy" },
      taints: [],
      capacity: parseResourceList({ cpu: "4", memory: "16Gi", pods: "110" }),
      allocatable: parseResourceList({ cpu: "4", memory: "16Gi", pods: "110" }),
      requested: {},
      hostPorts: [{ ip: "0.0.0.0", port: 8080, protocol: "TCP" }],
    };
    const result = run([pod({}, withPort(8080)), pod({}, withPort(9090))], [nodePool("d")], types, {
      existing: [node],
    });
    assert.equal(result.placementsOnExisting.length, 1);
    assert.equal(result.newNodeClaims.length, 1);
  });
  // Karpenter's getDaemonHostPortUsage: a DaemonSet that will run on the pool's nodes takes its host ports on each.
  const daemonSet = (hostPort: number, tolerations: unknown[] = []): DaemonSet => ({
    metadata: { name: "ingress", namespace: "kube-system" },
    spec: { template: { spec: { ...withPort(hostPort), tolerations } } },
  });
  test("a port a DaemonSet takes on the pool's nodes is not free on any new NodeClaim, with the reason", () => {
    const result = run([pod({ name: "web" }, withPort(8080)), pod({}, withPort(9090))], [nodePool("d")], types, {
      daemonSets: [daemonSet(8080)],
    });
    assert.deepEqual(podsPerClaim(result), [1]);
    assert.deepEqual(messages(result), [
      ["pool d: host port 0.0.0.0:8080/TCP is taken on every node by the pool's DaemonSet pods"],
    ]);
  });
  test("a DaemonSet that does not run on the pool (its taint not tolerated) leaves the port free", () => {
    const pool = nodePool("tainted", { taints: [{ key: "dedicated", value: "x", effect: "NoSchedule" }] });
    const tolerations = [{ key: "dedicated", operator: "Exists" }];
    const web = pod({}, { ...withPort(8080), tolerations });
    const result = run([web], [pool], types, { daemonSets: [daemonSet(8080)] });
    assert.deepEqual(podsPerClaim(result), [1]);
    assert.deepEqual(podsPerClaim(run([web], [pool], types, { daemonSets: [daemonSet(8080, tolerations)] })), []);
  });
  test("a host port that is not a port number is a clear error naming the pod and field", () => {
    const result = run([pod({ name: "bad" }, withPort(70000))], [nodePool("d")], types);
    assert.equal(
      result.unschedulable[0]?.message,
      "pod default/bad spec.containers[0].ports[0].hostPort: expected 1..65535",
    );
  });
});

describe("volume topology", () => {
  const withClaim = { volumes: [{ name: "data", persistentVolumeClaim: { claimName: "data" } }] };
  const volumeRequirements = { "default/data": [{ key: ZONE, operator: "In" as const, values: ["us-east-1c"] }] };
  test("a pod whose claim is bound to a volume in zone c gets a NodeClaim in zone c", () => {
    const result = run([pod({}, withClaim)], [nodePool("default")], types, { volumeRequirements });
    assert.equal(claimDomain(result.newNodeClaims[0] ?? assert.fail(), ZONE), "us-east-1c");
  });
  test("a claim the snapshot does not list (unbound) constrains nothing", () => {
    const result = run([pod({}, withClaim)], [nodePool("default")], types, { volumeRequirements: {} });
    assert.equal(result.newNodeClaims[0]?.requirements.valuesFor(ZONE).complement, true);
  });
  test("a pool without the volume's zone says so", () => {
    const pool = nodePool("ab", {
      requirements: [{ key: ZONE, operator: "In", values: ["us-east-1a", "us-east-1b"] }],
    });
    const result = run([pod({}, withClaim)], [pool], types, { volumeRequirements });
    assert.deepEqual(messages(result), [
      [
        "pool ab: volume default/data requires topology.kubernetes.io/zone In [us-east-1c], which the pool's requirements exclude",
      ],
    ]);
  });
});
