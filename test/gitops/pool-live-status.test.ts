// Beside Karpenter (`sync --apply`), each pool's drift as Karpenter marks it: a NodeClaim whose `Drifted` condition is
// True has drifted (core:pkg/controllers/nodeclaim/disruption/drift.go sets it; False or absent has not), and a
// NodeClaim not launched or being deleted counts neither way, as it counts for no usage. The status file then carries
// `drift` — and leaves it absent where the source cannot tell (`run` before its first disruption pass).
import assert from "node:assert/strict";
import { test } from "node:test";
import type { NodeClaim } from "../../api/index.ts";
import { karpenterPoolStatus, NO_LIVE_STATUS, withLiveStatus } from "../../gitops/index.ts";
import { summarizePool } from "../../gitops/status-model.ts";
import { nodePool } from "../support/disruption-cluster.ts";

function claim(
  name: string,
  drifted: "True" | "False" | undefined,
  extra: { launched?: boolean; deleting?: boolean } = {},
) {
  return {
    apiVersion: "karpenter.sh/v1",
    kind: "NodeClaim",
    metadata: {
      name,
      labels: {
        "karpenter.sh/nodepool": "default",
        "node.kubernetes.io/instance-type": "m5.large",
        "topology.kubernetes.io/zone": "us-west-2a",
        "karpenter.sh/capacity-type": "on-demand",
      },
      ...(extra.deleting === true ? { deletionTimestamp: "2026-01-05T11:59:00Z" } : {}),
    },
    spec: { nodeClassRef: { group: "karpenter.k8s.aws", kind: "EC2NodeClass", name: "default" }, requirements: [] },
    status: {
      ...(extra.launched === false ? {} : { capacity: { cpu: "2", memory: "7577Mi" } }),
      conditions:
        drifted === undefined
          ? []
          : [
              {
                type: "Drifted",
                status: drifted,
                reason: "NodePoolDrifted",
                lastTransitionTime: "2026-01-05T11:00:00Z",
              },
            ],
    },
  } as unknown as NodeClaim;
}

test("Karpenter's Drifted condition counts a node drifted; not launched or deleting counts neither way", () => {
  const live = karpenterPoolStatus(
    [
      claim("a", "True"),
      claim("b", "False"),
      claim("c", undefined),
      claim("d", "True"),
      claim("going", "True", { deleting: true }),
      claim("unlaunched", "True", { launched: false }),
    ],
    () => 0.096,
  );
  assert.deepEqual(live.get("default")?.drift, { drifted: 2, total: 4 });
  assert.equal(live.get("default")?.usage.nodes, 4, "the total is the nodes the usage counts");
});

test("the pool's status file carries drift when the source tells it, and leaves it absent otherwise", () => {
  const pools = [summarizePool(nodePool("default")), summarizePool(nodePool("idle"))];
  const told = withLiveStatus(pools, new Map([["default", { ...NO_LIVE_STATUS, drift: { drifted: 1, total: 3 } }]]));
  assert.deepEqual(told[0]?.drift, { drifted: 1, total: 3 });
  assert.equal("drift" in (told[1] ?? {}), false, "a pool with no figures has no drift");
  const untold = withLiveStatus(pools, new Map([["default", NO_LIVE_STATUS]]));
  assert.equal("drift" in (untold[0] ?? {}), false);
});
