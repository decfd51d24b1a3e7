/**
 * What a Git change does to each NodePool and EC2NodeClass, read from the two versions alone (no cluster needed):
 * whether the pool's template changed so that every node it launched drifts (the controller's `nodePoolHash`,
 * Karpenter's NodePool `Hash`), whether its requirements, limits, budgets or consolidation settings changed; and for
 * a class, the drift its nodes would see (aws:pkg/cloudprovider/drift.go `isDrifted`, in its order: the static
 * hash, then what the AMI, security-group and subnet selectors resolve to).
 */
import { isDeepStrictEqual } from "node:util";
import type { EC2NodeClass, NodePool } from "../../api/index.ts";
import type { DriftReason } from "../../cloudprovider/index.ts";
import { nodePoolHash } from "../disruption/index.ts";

/** The pools and classes of one side of a change (the base or the head). */
export interface PoolSide {
  readonly nodePools: readonly NodePool[];
  readonly nodeClasses: readonly EC2NodeClass[];
}

export type ObjectChange = "new" | "changed" | "deleted";

export interface Before<T> {
  readonly before: T | undefined;
  readonly after: T | undefined;
}

export interface PoolChange {
  readonly nodePool: string;
  readonly change: ObjectChange;
  /** The template's hash differs: every node the pool launched drifts (NodePoolDrifted). */
  readonly templateChanged: boolean;
  /** Requirements changed: nodes with a label the new requirements refuse drift (RequirementsDrifted). */
  readonly requirementsChanged: boolean;
  readonly limits?: Before<Readonly<Record<string, string | number>>>;
  readonly budgets?: Before<readonly Readonly<Record<string, unknown>>[]>;
  /** "WhenEmptyOrUnderutilized after 30s". */
  readonly consolidation?: Before<string>;
  readonly weight?: Before<number>;
}

export interface NodeClassChange {
  readonly nodeClass: string;
  readonly change: ObjectChange;
  /** What the class's nodes would report; undefined when nothing that drifts changed. */
  readonly drift: DriftReason | undefined;
  /** Selector drift is judged by what the selectors resolve to, which only EC2 knows: assumed to differ. */
  readonly assumed: boolean;
}

const name = (o: { metadata?: { name?: string } }) => o.metadata?.name ?? "";

export function poolChanges(base: PoolSide, head: PoolSide): PoolChange[] {
  const before = new Map(base.nodePools.map((p) => [name(p), p]));
  const after = new Map(head.nodePools.map((p) => [name(p), p]));
  const out: PoolChange[] = [];
  for (const pool of [...new Set([...before.keys(), ...after.keys()])].sort()) {
    const b = before.get(pool);
    const a = after.get(pool);
    if (b !== undefined && a !== undefined && isDeepStrictEqual(b, a)) continue;
    const change: ObjectChange = b === undefined ? "new" : a === undefined ? "deleted" : "changed";
    const diff = <T>(read: (p: NodePool) => T | undefined): Before<T> | undefined => {
      const [x, y] = [b === undefined ? undefined : read(b), a === undefined ? undefined : read(a)];
      return change === "changed" && !isDeepStrictEqual(x, y) ? { before: x, after: y } : undefined;
    };
    const limits = diff((p) => p.spec.limits as Record<string, string | number> | undefined);
    const budgets = diff((p) => p.spec.disruption?.budgets as Record<string, unknown>[] | undefined);
    const consolidation = diff(
      (p) =>
        `${p.spec.disruption?.consolidationPolicy ?? "WhenEmptyOrUnderutilized"} after ${p.spec.disruption?.consolidateAfter ?? "0s"}`,
    );
    const weight = diff((p) => p.spec.weight);
    out.push({
      nodePool: pool,
      change,
      templateChanged: b !== undefined && a !== undefined && nodePoolHash(b) !== nodePoolHash(a),
      requirementsChanged:
        b !== undefined &&
        a !== undefined &&
        !isDeepStrictEqual(b.spec.template.spec.requirements, a.spec.template.spec.requirements),
      ...(limits === undefined ? {} : { limits }),
      ...(budgets === undefined ? {} : { budgets }),
      ...(consolidation === undefined ? {} : { consolidation }),
      ...(weight === undefined ? {} : { weight }),
    });
  }
  return out;
}

const SELECTORS: readonly [field: string, reason: DriftReason][] = [
  ["amiSelectorTerms", "AMIDrift"],
  ["securityGroupSelectorTerms", "SecurityGroupDrift"],
  ["subnetSelectorTerms", "SubnetDrift"],
  ["capacityReservationSelectorTerms", "CapacityReservationDrift"],
];

export function nodeClassChanges(base: PoolSide, head: PoolSide): NodeClassChange[] {
  const before = new Map(base.nodeClasses.map((c) => [name(c), c]));
  const after = new Map(head.nodeClasses.map((c) => [name(c), c]));
  const out: NodeClassChange[] = [];
  for (const nodeClass of [...new Set([...before.keys(), ...after.keys()])].sort()) {
    const b = before.get(nodeClass);
    const a = after.get(nodeClass);
    if (b !== undefined && a !== undefined && isDeepStrictEqual(b, a)) continue;
    if (b === undefined || a === undefined) {
      out.push({ nodeClass, change: b === undefined ? "new" : "deleted", drift: undefined, assumed: false });
      continue;
    }
    const spec = (c: EC2NodeClass) => (c.spec ?? {}) as Record<string, unknown>;
    const statics = (c: EC2NodeClass) =>
      Object.fromEntries(Object.entries(spec(c)).filter(([k]) => !SELECTORS.some(([field]) => field === k)));
    let drift: DriftReason | undefined;
    let assumed = false;
    if (!isDeepStrictEqual(statics(b), statics(a))) drift = "NodeClassDrift";
    else {
      const selector = SELECTORS.find(([field]) => !isDeepStrictEqual(spec(b)[field], spec(a)[field]));
      if (selector !== undefined) [drift, assumed] = [selector[1], true];
    }
    out.push({ nodeClass, change: "changed", drift, assumed });
  }
  return out;
}
