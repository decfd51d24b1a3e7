// Benchmark input: NodePools and EC2NodeClasses built from the upstream examples, varied the way a real fleet
// of pools varies (names, teams, limits, weights, budgets, instance families, tags, roles, discovery tags, volume
// sizes), so no two objects are identical and per-value caches see realistic reuse, not copies.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { parseAllDocuments } from "yaml";

type Json = Record<string, unknown>;

const dir = join(import.meta.dirname, "..", "test", "fixtures", "upstream");

/** The upstream example files, each a list of its documents (a NodePool and its EC2NodeClass). */
export function upstreamFiles(): Json[][] {
  return readdirSync(dir)
    .filter((f) => f.endsWith(".yaml"))
    .sort()
    .map((f) => parseAllDocuments(readFileSync(join(dir, f), "utf8")).map((d) => d.toJS() as Json));
}

const categories = [["c", "m", "r"], ["c", "m"], ["m", "r"], ["c"], ["m"], ["r", "x"], ["c", "m", "r", "i"]];

function vary(object: Json, n: number, suffix: string): Json {
  const copy = structuredClone(object);
  (copy.metadata as { name: string }).name += suffix;
  const spec = (copy.spec ?? {}) as Json;
  if (copy.kind === "NodePool") {
    const template = (spec.template ?? {}) as { metadata?: { labels?: Json }; spec?: Json };
    template.metadata = { ...template.metadata, labels: { ...template.metadata?.labels, team: `team-${n % 37}` } };
    const tspec = template.spec ?? {};
    const ref = tspec.nodeClassRef as { name: string } | undefined;
    if (ref) ref.name += suffix;
    const requirements = (tspec.requirements ?? []) as { key: string; operator: string; values?: string[] }[];
    for (const r of requirements) {
      if (r.key === "karpenter.k8s.aws/instance-category") r.values = categories[n % categories.length];
      if (r.key === "karpenter.k8s.aws/instance-generation" && r.operator === "Gt") r.values = [String(1 + (n % 4))];
    }
    spec.limits = { cpu: String(100 + (n % 900)), memory: `${400 + (n % 3600)}Gi` };
    spec.weight = 1 + (n % 100);
    spec.disruption = {
      consolidateAfter: "0s",
      ...(spec.disruption as Json),
      budgets: [{ nodes: `${5 + (n % 20)}%` }],
    };
  } else {
    spec.tags = { ...(spec.tags as Json), team: `team-${n % 37}`, "cost-center": `cc-${n % 211}` };
    if (typeof spec.role === "string") spec.role = `KarpenterNodeRole-cluster-${n % 50}`;
    for (const terms of [spec.subnetSelectorTerms, spec.securityGroupSelectorTerms] as { tags?: Json }[][]) {
      for (const term of terms ?? []) if (term.tags) term.tags = { "karpenter.sh/discovery": `cluster-${n % 50}` };
    }
    for (const mapping of (spec.blockDeviceMappings ?? []) as { ebs?: Json }[]) {
      if (mapping.ebs && typeof mapping.ebs.volumeSize === "string") mapping.ebs.volumeSize = `${20 + (n % 200)}Gi`;
    }
  }
  return copy;
}

/** Bundles of one varied copy of every upstream file (about a pool repository's size), `count` objects in all. */
export function realisticBundles(count: number): Json[][] {
  const files = upstreamFiles();
  const bundles: Json[][] = [];
  let total = 0;
  for (let i = 0; total < count; i++) {
    const bundle = files.flatMap((docs, f) => docs.map((d) => vary(d, i * files.length + f, `-${i}-${f}`)));
    bundles.push(bundle);
    total += bundle.length;
  }
  return bundles;
}
