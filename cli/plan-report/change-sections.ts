// What each changed NodePool and EC2NodeClass does, read from the change alone.
import type { NodeClassChange, PoolChange } from "../../controller/index.ts";
import type { Section } from "./blocks.ts";
import type { PlanReport } from "./render.ts";

export function changeSections(report: PlanReport): Section[] {
  if (report.changes.length === 0)
    return [{ title: "Changes", level: 3, blocks: [{ p: "No NodePool or EC2NodeClass changes." }] }];
  const pools = new Map(report.preview.pools.map((p) => [p.nodePool, p]));
  const classes = new Map(report.preview.nodeClasses.map((c) => [c.nodeClass, c]));
  const rows = [...report.changes]
    .sort((a, b) => (`${a.kind}/${a.name}` < `${b.kind}/${b.name}` ? -1 : 1))
    .map((c) => {
      const effect =
        c.kind === "NodePool"
          ? poolEffect(pools.get(c.name))
          : c.kind === "EC2NodeClass"
            ? classEffect(classes.get(c.name))
            : "";
      return [`${c.kind}/${c.name}`, c.change, effect || "—"];
    });
  const blocks = [{ table: { head: ["object", "change", "what it does"], rows } }];
  const problems = report.preview.problems.map((p) => `the controller cannot read it: ${p}`);
  return [{ title: "Changes", level: 3, blocks: problems.length > 0 ? [...blocks, { list: problems }] : blocks }];
}

function poolEffect(pool: PoolChange | undefined): string {
  if (pool === undefined) return "";
  if (pool.change === "new") return "a new pool";
  if (pool.change === "deleted") return "deleted: Karpenter deletes its NodeClaims with it, outside budgets";
  const parts: string[] = [];
  if (pool.templateChanged) parts.push("template changed: every node of the pool drifts (NodePoolDrifted)");
  if (pool.requirementsChanged)
    parts.push("requirements changed: nodes with a label they no longer allow drift (RequirementsDrifted)");
  if (pool.limits) parts.push(limitsText(pool.limits.before ?? {}, pool.limits.after ?? {}));
  if (pool.budgets) parts.push(`budgets ${budgetsText(pool.budgets.before)} → ${budgetsText(pool.budgets.after)}`);
  if (pool.consolidation)
    parts.push(`consolidation \`${pool.consolidation.before}\` → \`${pool.consolidation.after}\``);
  if (pool.weight) parts.push(`weight ${pool.weight.before ?? "unset"} → ${pool.weight.after ?? "unset"}`);
  return parts.join("; ");
}

function classEffect(nodeClass: NodeClassChange | undefined): string {
  if (nodeClass === undefined) return "";
  if (nodeClass.change !== "changed") return nodeClass.change === "new" ? "a new class" : "deleted";
  if (nodeClass.drift === undefined) return "changed; nothing that drifts nodes";
  const assumed = nodeClass.assumed
    ? " — assumed: the new selector resolves to other resources, which only EC2 can tell"
    : "";
  return `nodes launched with it drift (${nodeClass.drift})${assumed}`;
}

// Only the limits that change: "`limits.cpu` 64 → 16".
function limitsText(
  before: Readonly<Record<string, string | number>>,
  after: Readonly<Record<string, string | number>>,
): string {
  return [...new Set([...Object.keys(before), ...Object.keys(after)])]
    .sort()
    .filter((k) => String(before[k]) !== String(after[k]))
    .map((k) => `\`limits.${k}\` ${before[k] ?? "none"} → ${after[k] ?? "none"}`)
    .join(", ");
}

function budgetsText(budgets: readonly Readonly<Record<string, unknown>>[] | undefined): string {
  if (budgets === undefined) return "default (`nodes: 10%`)";
  if (budgets.length === 0) return "none";
  return budgets
    .map((b) => {
      const window =
        b["schedule"] === undefined ? "" : ` at \`${String(b["schedule"])}\` for ${String(b["duration"] ?? "0s")}`;
      const reasons = Array.isArray(b["reasons"]) ? ` (${(b["reasons"] as string[]).join(", ")})` : "";
      return `\`nodes: ${String(b["nodes"])}\`${window}${reasons}`;
    })
    .join(", ");
}
