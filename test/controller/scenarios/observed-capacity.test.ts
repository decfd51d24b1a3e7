// A DaemonSet-heavy pool whose nodes really have less memory than Karpenter's estimate: m5.large's hypervisor
// takes about 10 % of its memory in the simulated world, where Karpenter (and the provider, until it has seen a
// node) assumes 7.5 %. Four 1200Mi pods beside a 2000Mi daemon fit the estimate (6,903Mi allocatable) but not the
// node that boots, so the first node takes three and the fourth gets a second node once its nomination lapses. The
// node's real memory is then the provider's capacity for the type, and the next launches are sized by it: no new
// NodeClaim of a second wave is made for more pods than a real node holds, and none of its pods is provisioned for
// twice. Expected values come from the world's Nodes and bindings and the events recorded on the pods.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import type { EC2NodeClass, NodePool } from "../../../api/index.ts";
import {
  deployment,
  NODE_CLASS,
  nodeNameOf,
  nodePool,
  type ProvisioningWorld,
  startProvisioningWorld,
} from "../../support/provisioning-world.ts";

const POOL = nodePool("heavy", [
  { key: "node.kubernetes.io/instance-type", operator: "In", values: ["m5.large"] },
  { key: "karpenter.sh/capacity-type", operator: "In", values: ["on-demand"] },
]);

const DAEMON = {
  apiVersion: "apps/v1",
  kind: "DaemonSet",
  metadata: { name: "agent", namespace: "default" },
  spec: {
    selector: { matchLabels: { app: "agent" } },
    template: {
      metadata: { labels: { app: "agent" } },
      spec: {
        containers: [{ name: "agent", image: "agent:1", resources: { requests: { cpu: "100m", memory: "2000Mi" } } }],
      },
    },
  },
};

let w: ProvisioningWorld;
before(async () => {
  w = await startProvisioningWorld();
  w.create(NODE_CLASS, POOL, DAEMON);
});
after(() => w.stop());

const claimNodes = () =>
  new Map(
    w
      .list("karpenter.sh/v1", "NodeClaim")
      .map((c) => [c.metadata?.name, (c.status as { nodeName?: string } | undefined)?.nodeName]),
  );

/** Where the pod was nominated, as the node the NodeClaim named in its Nominated events became. */
function nominatedNodes(pod: string): (string | undefined)[] {
  const nodes = claimNodes();
  return w.events("Nominated", pod).map((e) => nodes.get(/nodeclaim\/(\S+)$/.exec(e.message)?.[1]));
}

describe("the first launch, sized by the estimate", () => {
  test("the node is too small for the four pods it was launched for: three land there, the fourth on a second node", async () => {
    w.create(deployment("first", 4, { cpu: "100m", memory: "1200Mi" }));
    await w.runUntil(() => w.pods("first").length === 4 && w.pods("first").every((p) => nodeNameOf(p)), "all bound");
    const nodes = w.pods("first").map(nodeNameOf);
    const counts = [...new Set(nodes)].map((n) => nodes.filter((m) => m === n).length).sort();
    assert.deepEqual(counts, [1, 3]);
    const firstNode = w
      .list("v1", "Node")
      .find((n) => n.metadata?.name === nodes.find((n) => nodes.filter((m) => m === n).length === 3));
    const allocatable = (firstNode?.status as { allocatable: Record<string, string> }).allocatable;
    // The world's node has room for the daemon and three pods, not four.
    const mi = Number(/^(\d+)Ki$/.exec(allocatable["memory"] ?? "")?.[1]) / 1024;
    assert.ok(mi < 2000 + 4 * 1200 && mi >= 2000 + 3 * 1200, `allocatable ${allocatable["memory"]}`);
    const lonely = w.pods("first").find((p) => nodeNameOf(p) !== firstNode?.metadata?.name);
    const nominated = nominatedNodes(String(lonely?.metadata?.name));
    assert.equal(nominated.length, 2, "nominated to the first NodeClaim, then, after the lapse, to the second");
    assert.equal(nominated[0], firstNode?.metadata?.name);
  });

  test("the provider now sizes m5.large under this class by the node's real memory", async () => {
    const node = w.list("v1", "Node")[0];
    const memory = (node?.status as { capacity: Record<string, string> }).capacity["memory"];
    const nodeClass = w.cluster.get("ec2nodeclasses", { name: "default" }) as EC2NodeClass;
    const types = await w.provider.getInstanceTypes(POOL as NodePool, nodeClass);
    const m5 = types.find((t) => t.name === "m5.large");
    assert.equal(m5?.capacity["memory"]?.toString(), memory);
  });
});

describe("the next launches, sized by what was observed", () => {
  test("every pod of a second wave is bound after one nomination, none provisioned for twice", async () => {
    const claimsBefore = w.list("karpenter.sh/v1", "NodeClaim").length;
    w.create(deployment("second", 8, { cpu: "100m", memory: "1200Mi" }));
    await w.runUntil(() => w.pods("second").length === 8 && w.pods("second").every((p) => nodeNameOf(p)), "all bound");
    // The world's scheduler binds what fits on existing nodes before provisioning sees it; the rest are nominated.
    const nominated = w.pods("second").filter((pod) => nominatedNodes(String(pod.metadata?.name)).length > 0);
    assert.equal(nominated.length, 6);
    for (const pod of nominated) {
      const name = String(pod.metadata?.name);
      // The scheduler may bind it to either new node; what matters is that it was never provisioned for again.
      assert.equal(nominatedNodes(name).length, 1, `${name} was nominated once`);
    }
    // Sized right: no new NodeClaim was made for more than the three pods a real m5.large holds beside the daemon.
    const perClaim = new Map<string, number>();
    for (const pod of nominated) {
      for (const e of w.events("Nominated", String(pod.metadata?.name))) {
        const claim = /nodeclaim\/(\S+)$/.exec(e.message)?.[1] ?? "";
        perClaim.set(claim, (perClaim.get(claim) ?? 0) + 1);
      }
    }
    const newClaims = [...perClaim].filter(([, n]) => n > 2);
    assert.deepEqual(
      newClaims.map(([, n]) => n),
      [3, 3],
    );
    // Two fit beside the lonely pod on the second node; six take two new nodes of three (four would not fit).
    assert.equal(w.list("karpenter.sh/v1", "NodeClaim").length, claimsBefore + 2);
  });
});
