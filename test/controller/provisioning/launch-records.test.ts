// What provisioning writes beside the launch itself: the NodePool hash annotations (copied from the NodePool when
// Karpenter's hash controller wrote them, else computed with the fields Karpenter's hash ignores left out), the
// provisioned status event and its path into gitops/'s StatusPublisher, whose commit trailers carry it, and each
// pool's $/h from the offerings its NodeClaims launched into. Expected values: Karpenter's annotation names and
// hash version, the trailers as the status branch's parser reads them, the catalog's on-demand price.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type { NodePool } from "../../../api/index.ts";
import { defaultCatalog } from "../../../cloudprovider/index.ts";
import { catalogInstanceTypes } from "../../../cloudprovider/catalog-instance-types.ts";
import {
  hourlyCostByPool,
  nodePoolHashAnnotations,
  provisionedEvent,
  type ProvisioningStatusSink,
} from "../../../controller/provisioning/index.ts";
import { stateNode } from "../../../controller/state/index.ts";
import { parseTrailers } from "../../../gitops/status-render.ts";
import { StatusPublisher } from "../../../gitops/status-publisher.ts";
import type { StatusWriteInput } from "../../../gitops/status-writer.ts";
import { silentLogger } from "../../../runtime/log.ts";
import { FakeClock } from "../../support/fake-clock.ts";

function pool(template: Partial<NodePool["spec"]["template"]["spec"]>, annotations?: Record<string, string>): NodePool {
  return {
    apiVersion: "karpenter.sh/v1",
    kind: "NodePool",
    metadata: { name: "default", ...(annotations === undefined ? {} : { annotations }) },
    spec: {
      template: {
        spec: {
          nodeClassRef: { group: "karpenter.k8s.aws", kind: "EC2NodeClass", name: "default" },
          requirements: [{ key: "karpenter.sh/capacity-type", operator: "In", values: ["spot"] }],
          ...template,
        },
      },
    },
  } as NodePool;
}

describe("NodePool hash annotations", () => {
  test("copied from the NodePool when Karpenter's hash controller wrote them", () => {
    const written = { "karpenter.sh/nodepool-hash": "6103477592426497587", "karpenter.sh/nodepool-hash-version": "v3" };
    assert.deepEqual(nodePoolHashAnnotations(pool({}, written)), written);
  });

  test("computed otherwise: requirements and expiry do not move it, taints do", () => {
    const hash = (p: NodePool) => nodePoolHashAnnotations(p)["karpenter.sh/nodepool-hash"];
    const base = hash(pool({}));
    assert.match(base ?? "", /^\d+$/);
    assert.equal(nodePoolHashAnnotations(pool({}))["karpenter.sh/nodepool-hash-version"], "v3");
    assert.equal(hash(pool({ requirements: [], expireAfter: "24h", terminationGracePeriod: "1h" })), base);
    assert.notEqual(hash(pool({ taints: [{ key: "team", value: "ml", effect: "NoSchedule" }] })), base);
  });
});

describe("the provisioned status event", () => {
  const launched = {
    pool: "default",
    nodeClaim: "default-x7k2p",
    instanceType: "m5.large",
    zone: "us-west-2a",
    capacityType: "spot",
    price: 0.0412,
    pods: ["default/a", "default/b", "default/c", "default/d", "default/e", "default/f", "default/g"],
  };

  test("names the type, zone, capacity type, price and the pods, the first five by name", () => {
    assert.deepEqual(provisionedEvent(launched), {
      kind: "provisioned",
      pool: "default",
      node: "default-x7k2p",
      reason:
        "launched m5.large spot in us-west-2a at $0.0412/h for 7 pods: default/a, default/b, default/c, default/d, " +
        "default/e and 2 more",
    });
  });

  test("with the pool's running $/h, that comes before the pods", () => {
    assert.equal(
      provisionedEvent({ ...launched, pods: ["default/a"], poolHourlyCost: 1.2 }).reason,
      "launched m5.large spot in us-west-2a at $0.0412/h (pool now $1.2000/h) for 1 pod: default/a",
    );
  });

  test("gitops/'s StatusPublisher is a sink, and the event reaches the commit's trailers", async () => {
    const writes: StatusWriteInput[] = [];
    const publisher = new StatusPublisher({
      writer: {
        remote: "memory",
        branch: "status",
        async write(input) {
          writes.push(input);
          return { sha: "c1", pushed: true, unchanged: false };
        },
        history: async () => [],
      },
      cluster: "prod",
      coalesceMs: 0,
      clock: new FakeClock(new Date("2026-03-02T09:00:00Z")),
      logger: silentLogger(),
      retry: { minBackoffMs: 1, maxBackoffMs: 1 },
      manual: true,
    });
    const sink: ProvisioningStatusSink = publisher;
    sink.record(provisionedEvent(launched));
    await publisher.flush();
    const events = parseTrailers(writes[0]?.message ?? "").events;
    assert.deepEqual(
      events.map((e) => [e.kind, e.pool, e.node]),
      [["provisioned", "default", "default-x7k2p"]],
    );
  });
});

describe("each pool's $/h", () => {
  test("the sum of each launched NodeClaim's offering price; one being deleted or not launched is not counted", () => {
    const m5 = catalogInstanceTypes(defaultCatalog(), { zones: ["us-west-2a"] }).find((t) => t.name === "m5.large");
    assert.ok(m5);
    const priced = (zone: string) => m5.offerings.items.find((o) => o.zone === zone && o.capacityType === "on-demand");
    const claim = (name: string, zone: string, extra: { deleting?: boolean; launched?: boolean } = {}) =>
      stateNode({
        node: undefined,
        nodeClaim: {
          apiVersion: "karpenter.sh/v1",
          kind: "NodeClaim",
          metadata: {
            name,
            labels: {
              "karpenter.sh/nodepool": "default",
              "node.kubernetes.io/instance-type": "m5.large",
              "topology.kubernetes.io/zone": zone,
              "karpenter.sh/capacity-type": "on-demand",
            },
            ...(extra.deleting ? { deletionTimestamp: "2026-03-02T09:00:00Z" } : {}),
          },
          spec: {
            nodeClassRef: { group: "karpenter.k8s.aws", kind: "EC2NodeClass", name: "default" },
            requirements: [],
          },
          ...(extra.launched === false ? {} : { status: { providerID: `aws:///${zone}/i-${name}` } }),
        },
        pods: [],
        nominatedPods: [],
        nominatedAfterCreation: [],
        requestsOf: () => ({}),
        instanceType: m5,
      });
    const zone = m5.offerings.items[0]?.zone ?? "";
    const price = priced(zone)?.price ?? Number.NaN;
    const cost = hourlyCostByPool(
      [claim("a", zone), claim("b", zone), claim("c", zone, { deleting: true }), claim("d", zone, { launched: false })],
      new Map([
        ["default", [m5]],
        ["idle", []],
      ]),
    );
    assert.deepEqual(
      [...cost],
      [
        ["default", 2 * price],
        ["idle", 0],
      ],
    );
  });
});
