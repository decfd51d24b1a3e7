// What the controller would do if the change merged, over the snapshot; or what cannot be known without one.
import { type ChangePreview, type ClusterPreview, DRIFT_WAVE_MINUTES } from "../../controller/index.ts";
import type { Block, Section } from "./blocks.ts";

const usd = (value: number) => `$${Math.abs(value).toFixed(3)}`;
const signed = (value: number) => (Math.abs(value) < 0.0005 ? "$0.000" : `${value > 0 ? "+" : "-"}${usd(value)}`);
const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

/** What a plan cannot say without a snapshot (the text's sentence, and the JSON's `unknown` list). */
export const UNKNOWN_WITHOUT_SNAPSHOT = [
  "how many nodes drift and how long their replacement takes",
  "which pending pods get new nodes",
  "what consolidation does",
  "whether a limit binds",
  "what the change costs per hour",
] as const;

export function clusterSections(preview: ChangePreview): Section[] {
  const { cluster } = preview;
  if (cluster === undefined) {
    const [drift, pending, consolidation, limits, cost] = UNKNOWN_WITHOUT_SNAPSHOT;
    return [
      {
        title: "If this merges",
        level: 3,
        blocks: [
          {
            p:
              `No snapshot was given (\`--snapshot\`), so this plan cannot say ${drift}, ${pending}, ${consolidation}, ` +
              `${limits}, or ${cost}. \`poolkeeper snapshot\` writes one from a cluster.`,
          },
        ],
      },
    ];
  }
  const name = cluster.cluster === undefined ? "" : ` of \`${cluster.cluster}\``;
  return [
    {
      title: "If this merges",
      level: 3,
      blocks: [
        {
          p:
            `Over the snapshot${name} taken at ${cluster.takenAt}: ${plural(cluster.nodes, "node")} ` +
            `(${cluster.managedNodes} managed by Karpenter), ${plural(cluster.pendingPods, "pending pod")}.`,
        },
      ],
    },
    { title: "Drift", level: 4, blocks: driftBlocks(cluster) },
    { title: "Pending pods", level: 4, blocks: capacityBlocks(cluster) },
    { title: "Consolidation", level: 4, blocks: consolidationBlocks(cluster) },
    { title: "Limits", level: 4, blocks: limitBlocks(cluster) },
    { title: "Cost", level: 4, blocks: costBlocks(cluster) },
  ];
}

function driftBlocks(cluster: ClusterPreview): Block[] {
  if (cluster.drift.length === 0) return [{ p: "No node drifts." }];
  const rows = cluster.drift.map((d) => {
    const why = Object.entries(d.reasons)
      .map(([reason, n]) => `${reason} ×${n}`)
      .join(", ");
    const already = d.alreadyDrifted > 0 ? ` (${d.alreadyDrifted} already drifted)` : "";
    return [d.nodePool, `${d.drifting} of ${d.nodes}${already}`, why || "—", d.budget, rollout(d)];
  });
  return [
    { table: { head: ["pool", "drifting", "why", "budget (Drifted)", "rollout"], rows } },
    {
      p:
        `One replacement wave is taken to last about ${DRIFT_WAVE_MINUTES} min (launch, initialize, drain), at the pace ` +
        "the budgets allow at the snapshot's time.",
    },
  ];
}

function rollout(d: ClusterPreview["drift"][number]): string {
  if (d.drifting === 0) return "—";
  if (d.poolDeleted) return "at once, with the pool";
  const pace = (perWave: number | "unlimited") =>
    perWave === "unlimited"
      ? `all at once, about ${d.minutes} min`
      : `${perWave} at a time: ${plural(d.waves ?? 0, "wave")}, about ${d.minutes} min`;
  if (d.perWave !== 0) return pace(d.perWave);
  if (d.blockedUntil !== undefined && d.perWaveAfter !== undefined && d.perWaveAfter !== 0)
    return `held until ${d.blockedUntil}, then ${pace(d.perWaveAfter)}`;
  return "held: the budgets allow none and no window ends";
}

function capacityBlocks(cluster: ClusterPreview): Block[] {
  const { base, head } = cluster.capacity;
  if (head.pendingPods === 0) return [{ p: "No pending pods." }];
  const blocks: Block[] = [];
  const existing = head.placedOnExisting > 0 ? `; ${plural(head.placedOnExisting, "pod")} fit on existing nodes` : "";
  if (head.launches.length === 0) blocks.push({ p: `No new node${existing}.` });
  else {
    blocks.push({
      table: {
        head: ["pool", "new nodes", "pods", "$/h"],
        rows: head.launches.map((l) => [
          l.nodePool,
          Object.entries(l.nodeClaims)
            .map(([what, n]) => `${n} × ${what}`)
            .join(", "),
          String(l.pods),
          usd(l.pricePerHour),
        ]),
      },
    });
    if (existing !== "") blocks.push({ p: `${plural(head.placedOnExisting, "pod")} fit on existing nodes.` });
  }
  if (head.held.length > 0) {
    blocks.push({ p: `${plural(head.held.length, "pod")} would stay pending:` });
    blocks.push({ list: head.held.map((h) => `\`${h.pod}\`: ${h.reasons.join("; ")}`) });
  }
  const baseNodes = base.launches.reduce((n, l) => n + l.count, 0);
  const headNodes = head.launches.reduce((n, l) => n + l.count, 0);
  if (
    baseNodes !== headNodes ||
    base.held.length !== head.held.length ||
    Math.abs(base.pricePerHour - head.pricePerHour) >= 0.0005
  ) {
    blocks.push({
      p:
        `Without this change: ${plural(baseNodes, "new node")} (${usd(base.pricePerHour)}/h), ` +
        `${plural(base.held.length, "pod")} left pending.`,
    });
  } else blocks.push({ p: "The same without this change." });
  return blocks;
}

function consolidationBlocks(cluster: ClusterPreview): Block[] {
  if (cluster.consolidation.length === 0) return [{ p: "No change to what consolidation does in the changed pools." }];
  return [
    {
      table: {
        head: ["pool", "without this change", "with it"],
        rows: cluster.consolidation.map((c) => [c.nodePool, c.before, c.after]),
      },
    },
    { p: "A disruption pass runs one graceful command; each side shows its first." },
  ];
}

function limitBlocks(cluster: ClusterPreview): Block[] {
  if (cluster.limits.length === 0) return [{ p: "No limit changes, and no limit holds a pending pod." }];
  const seen = new Set<string>();
  const rows = cluster.limits.map((l) => {
    const effect = [l.binds ? "binds: no node of the pool can launch (existing nodes stay)" : ""];
    // Once per pool: a pod is held by the pool's limits, not by one resource's.
    if (l.heldPods > 0 && !seen.has(l.nodePool)) effect.push(`${plural(l.heldPods, "pending pod")} held by its limits`);
    seen.add(l.nodePool);
    const text = effect.filter((e) => e !== "").join("; ");
    return [l.nodePool, l.resource, l.used, l.before ?? "none", l.after ?? "none", text || "room left"];
  });
  return [{ table: { head: ["pool", "resource", "in use", "limit before", "limit after", "effect"], rows } }];
}

function costBlocks(cluster: ClusterPreview): Block[] {
  const { cost } = cluster;
  const blocks: Block[] = [
    {
      table: {
        head: ["", "$/h"],
        rows: [
          ["now", usd(cost.now)],
          ["without this change", usd(cost.ifNotMerged)],
          ["with this change", usd(cost.ifMerged)],
          ["**delta**", `**${signed(cost.delta)}**`],
        ],
      },
    },
    {
      p:
        "With this change: after drift has replaced its nodes and the pending pods have theirs, before " +
        "consolidation; without it: the pending pods' new nodes.",
    },
  ];
  if (cost.unpricedNodes > 0)
    blocks.push({
      p: `${plural(cost.unpricedNodes, "managed node")} not priced: the snapshot has no offering for them.`,
    });
  return blocks;
}
