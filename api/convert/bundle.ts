// Converting objects together lets NodePool kubelet settings reach the EC2NodeClass where v1 expects them. They
// are moved only when every NodePool of the bundle that uses that class agrees, because the class's kubelet block
// applies to all of them: a NodePool with other (or no) kubelet settings would silently change. Otherwise the
// per-object "unconvertible" note stays, reworded to say why.
import { convertInternal } from "./convert.ts";
import type { InternalResult, PendingKubelet } from "./internal-result.ts";
import { childRecord, isRecord, jsonEqual, nameOf, show, type JsonRecord } from "./record.ts";
import type { ConversionNote, ConversionResult } from "./types.ts";
import { DEFAULT_NODE_CLASS_GROUP, DEFAULT_NODE_CLASS_KIND } from "./v1-fields.ts";

/** One converted NodePool that references a given EC2NodeClass. */
interface PoolUse {
  poolName: string;
  result: InternalResult;
  /** Undefined for a NodePool that uses the class without kubelet settings of its own. */
  pending: PendingKubelet | undefined;
}

function isNodeClass(object: unknown, name: string): object is JsonRecord {
  return (
    isRecord(object) &&
    object["apiVersion"] === `${DEFAULT_NODE_CLASS_GROUP}/v1` &&
    object["kind"] === DEFAULT_NODE_CLASS_KIND &&
    nameOf(object) === name
  );
}

/** The EC2NodeClass a converted NodePool references, when it is the AWS provider's kind. */
function referencedClass(object: unknown): string | undefined {
  if (!isRecord(object) || object["apiVersion"] !== "karpenter.sh/v1" || object["kind"] !== "NodePool")
    return undefined;
  const templateSpec = childRecord(childRecord(childRecord(object, "spec") ?? {}, "template") ?? {}, "spec");
  const ref = templateSpec ? childRecord(templateSpec, "nodeClassRef") : undefined;
  if (!ref || ref["group"] !== DEFAULT_NODE_CLASS_GROUP || ref["kind"] !== DEFAULT_NODE_CLASS_KIND) return undefined;
  return typeof ref["name"] === "string" ? ref["name"] : undefined;
}

function replaceNote(use: PoolUse, next: Omit<ConversionNote, "path">): void {
  const pending = use.pending;
  if (!pending) return;
  const index = use.result.notes.indexOf(pending.note);
  if (index >= 0) use.result.notes[index] = { path: pending.sourcePath, ...next };
}

function notMoved(use: PoolUse, why: string): void {
  const pending = use.pending;
  if (!pending) return;
  replaceNote(use, {
    kind: "unconvertible",
    message: `Removed NodePool "${use.poolName}"'s kubelet settings ${show(pending.kubelet)} without moving them, because ${why}.`,
  });
}

/** Places the kubelet settings of the NodePools using one EC2NodeClass, or explains why it cannot. */
function placeKubelet(className: string, uses: PoolUse[], classes: InternalResult[]): void {
  const withKubelet = uses.filter((u) => u.pending);
  const first = withKubelet[0]?.pending;
  if (!first) return;
  const classResult = classes[0];
  if (classes.length > 1 || !classResult || !isRecord(classResult.object)) {
    for (const use of withKubelet) {
      notMoved(
        use,
        `the bundle holds ${classes.length} EC2NodeClasses named "${className}": put them in the right one's spec.kubelet`,
      );
    }
    return;
  }
  const disagreeing = (use: PoolUse): PoolUse | undefined =>
    uses.find((u) => u !== use && (!u.pending || !jsonEqual(u.pending.kubelet, use.pending?.kubelet)));
  if (withKubelet.some((use) => disagreeing(use))) {
    for (const use of withKubelet) {
      const other = disagreeing(use) ?? uses.find((u) => u !== use);
      const otherName = other?.poolName ?? "another NodePool";
      const clash = other?.pending
        ? `NodePools "${use.poolName}" and "${otherName}" use EC2NodeClass "${className}" with different kubelet settings`
        : `NodePool "${otherName}" uses EC2NodeClass "${className}" too, without kubelet settings`;
      notMoved(
        use,
        `${clash} and v1 keeps one kubelet block per EC2NodeClass: give "${use.poolName}" its own EC2NodeClass with these settings in spec.kubelet`,
      );
    }
    return;
  }
  const spec = childRecord(classResult.object, "spec");
  const existing = spec?.["kubelet"];
  if (!spec || (existing !== undefined && !jsonEqual(existing, first.kubelet))) {
    const state = spec ? `already sets different ones (${show(existing)})` : "has no spec";
    for (const use of withKubelet)
      notMoved(use, `EC2NodeClass "${className}" ${state}: decide which settings it should have`);
    return;
  }
  if (existing === undefined) {
    spec["kubelet"] = structuredClone(first.kubelet);
    const names = withKubelet.map((u) => `"${u.poolName}"`).join(", ");
    classResult.notes.push({
      path: "spec.kubelet",
      kind: "moved",
      message: `Filled spec.kubelet from the kubelet settings of NodePool${withKubelet.length > 1 ? "s" : ""} ${names}, because v1 configures kubelet on the EC2NodeClass.`,
    });
  }
  for (const use of withKubelet) {
    replaceNote(use, {
      kind: "moved",
      message:
        existing === undefined
          ? `Moved the kubelet settings to spec.kubelet of EC2NodeClass "${className}" in this bundle, because v1 configures kubelet on the EC2NodeClass.`
          : `Removed the kubelet settings because EC2NodeClass "${className}" in this bundle already has the same spec.kubelet, where v1 reads them.`,
    });
  }
}

/**
 * Converts objects that belong together (e.g. every document of one manifest). Results are in input order; NodePool
 * kubelet settings move to the referenced EC2NodeClass when it is in the bundle and no NodePool using it disagrees.
 */
export function convertBundleToV1(objects: readonly unknown[]): ConversionResult[] {
  const results = objects.map((o) => convertInternal(o));
  const usesByClass = new Map<string, PoolUse[]>();
  for (const result of results) {
    const className = referencedClass(result.object);
    if (className === undefined || !isRecord(result.object)) continue;
    const uses = usesByClass.get(className) ?? [];
    uses.push({ poolName: nameOf(result.object), result, pending: result.kubelet });
    usesByClass.set(className, uses);
  }
  for (const [className, uses] of usesByClass) {
    const classes = results.filter((r) => isNodeClass(r.object, className));
    if (classes.length > 0) placeKubelet(className, uses, classes);
  }
  return results.map(({ object, notes }) => ({ object, notes }));
}
