// `kubectl describe` against the simulated cluster, as the Karpenter guide's troubleshooting asks for it
// (`kubectl describe nodeclaim …`, `kubectl describe pod …`): the object and, under "Events:", the Events whose
// involvedObject is it — found by kubectl's own field-selector search, so the server's selectable event fields and
// the describers' layout are what is judged. Expected lines come from kubectl's printing of what the test wrote.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { startSimKube, type SimKube } from "../../support/sim-kube.ts";

let sim: SimKube;
before(async () => {
  sim = await startSimKube();
});
after(() => sim.stop());

const NODE_CLAIM = `apiVersion: karpenter.sh/v1
kind: NodeClaim
metadata:
  name: default-x7k2p
  labels: {karpenter.sh/nodepool: default}
spec:
  nodeClassRef: {group: karpenter.k8s.aws, kind: EC2NodeClass, name: default}
  requirements:
    - {key: node.kubernetes.io/instance-type, operator: In, values: [m5.large]}
`;

const POD = `apiVersion: v1
kind: Pod
metadata: {name: web, namespace: default}
spec:
  containers: [{name: web, image: nginx, resources: {requests: {cpu: 250m}}}]
`;

async function applied(manifest: string): Promise<{ uid: string }> {
  const { code, stdout, stderr } = await sim.kubectl(["apply", "-f", "-", "-o", "json"], { stdin: manifest });
  assert.equal(code, 0, stderr);
  return { uid: (JSON.parse(stdout) as { metadata: { uid: string } }).metadata.uid };
}

async function event(
  name: string,
  involved: Record<string, string>,
  type: string,
  reason: string,
  message: string,
): Promise<void> {
  const manifest = JSON.stringify({
    apiVersion: "v1",
    kind: "Event",
    metadata: { name, namespace: "default" },
    involvedObject: involved,
    type,
    reason,
    message,
    source: { component: "karpenter" },
    count: 1,
    firstTimestamp: new Date().toISOString().replace(/\.\d+Z$/, "Z"),
    lastTimestamp: new Date().toISOString().replace(/\.\d+Z$/, "Z"),
  });
  const { code, stderr } = await sim.kubectl(["create", "-f", "-"], { stdin: manifest });
  assert.equal(code, 0, stderr);
}

/** The rows of the "Events:" table kubectl describe printed, as [type, reason, from, message]. */
function eventRows(stdout: string): string[][] {
  const lines = stdout.split("\n");
  const start = lines.findIndex((l) => l.startsWith("Events:"));
  assert.ok(start >= 0, `describe prints an Events section:\n${stdout}`);
  return lines
    .slice(start + 3)
    .filter((l) => l.trim() !== "")
    .map((l) => {
      const [type = "", reason = "", , from = "", ...message] = l.trim().split(/\s{2,}/);
      return [type, reason, from, message.join("  ")];
    });
}

test("describe nodeclaim shows the claim and the Events about it, not another object's", async () => {
  const { uid } = await applied(NODE_CLAIM);
  const about = { apiVersion: "karpenter.sh/v1", kind: "NodeClaim", name: "default-x7k2p", uid };
  await event("default-x7k2p.1", about, "Normal", "Launched", "Status condition transitioned, Type: Launched");
  await event("default-x7k2p.2", about, "Warning", "InsufficientCapacityError", "NodeClaim default-x7k2p event");
  await event("other.1", { ...about, name: "other", uid: "0000" }, "Normal", "Launched", "not this one");
  const { code, stdout, stderr } = await sim.kubectl(["describe", "nodeclaim", "default-x7k2p"]);
  assert.equal(code, 0, stderr);
  assert.match(stdout, /^Name:\s+default-x7k2p$/m);
  assert.match(stdout, /^API Version:\s+karpenter.sh\/v1$/m);
  assert.deepEqual(eventRows(stdout), [
    ["Normal", "Launched", "karpenter", "Status condition transitioned, Type: Launched"],
    ["Warning", "InsufficientCapacityError", "karpenter", "NodeClaim default-x7k2p event"],
  ]);
});

test("describe pod shows the pod's requests and its Events", async () => {
  const { uid } = await applied(POD);
  const about = { apiVersion: "v1", kind: "Pod", name: "web", namespace: "default", uid };
  await event("web.1", about, "Warning", "FailedScheduling", "0/0 nodes are available.");
  const { code, stdout, stderr } = await sim.kubectl(["describe", "pod", "web"]);
  assert.equal(code, 0, stderr);
  assert.match(stdout, /^Name:\s+web$/m);
  assert.match(stdout, /^\s+cpu:\s+250m$/m);
  assert.deepEqual(eventRows(stdout), [["Warning", "FailedScheduling", "karpenter", "0/0 nodes are available."]]);
});
