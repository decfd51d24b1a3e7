// What one sync does to the cluster, decided over plain data: which desired objects to apply (new, changed in Git,
// drifted, or holding fields Git no longer sets), what drifted, and what to do with objects poolkeeper applied that
// Git no longer has. Pruning is opt-in, as in Flux (`prune`) and Argo CD (`syncPolicy.automated.prune`): deleting
// a NodePool makes the autoscaler delete every node of it at once, outside any disruption budget, so by default a
// removal is reported and the object left. An EC2NodeClass that a NodePool still names is never pruned (Karpenter's
// own termination finalizer would hold it anyway, with the pool's nodes unable to launch). Pure.
import { isRecord, type ClusterObject } from "../api/index.ts";
import { differingFields, driftedFields, type FieldDifference, type FieldDrift } from "./cluster-drift.ts";
import { appliedBy, appliedFields } from "./field-ownership.ts";

/** The field manager of every apply, and the name that marks an object as poolkeeper's. */
export const FIELD_MANAGER = "poolkeeper";

/** Per-object opt-in ("true") or opt-out ("false") of pruning, on the object in the cluster. */
export const PRUNE_ANNOTATION = "poolkeeper.dev/prune";

export type ManagedKind = "NodePool" | "EC2NodeClass";

export interface DesiredObject {
  kind: ManagedKind;
  name: string;
  /** The object as Git has it, in its served version (not defaulted). */
  object: Record<string, unknown>;
}

export interface LiveObject {
  kind: ManagedKind;
  object: ClusterObject;
}

export interface ApplyStep {
  kind: ManagedKind;
  name: string;
  object: Record<string, unknown>;
  /**
   * `create`: not in the cluster; `adopt`: there, but poolkeeper never applied it; `update`: Git's fields differ or
   * Git dropped some; `drift`: someone changed them.
   */
  why: "create" | "adopt" | "update" | "drift";
  /** The fields Git changed (for `update`). */
  changes: FieldDifference[];
  /** The fields someone else changed. */
  drift: FieldDrift[];
}

export interface Removal {
  kind: ManagedKind;
  name: string;
  uid?: string;
  action: "prune" | "keep";
  /** Why, in words, for the status and the log. */
  why: string;
}

export interface ClusterPlan {
  applies: ApplyStep[];
  removals: Removal[];
}

export interface PlanInput {
  desired: readonly DesiredObject[];
  /** The cluster's objects of the managed kinds, fresh where they matter (the desired ones, removal candidates). */
  live: readonly LiveObject[];
  /** `prune` of poolkeeper.yaml. */
  prune: boolean;
  manager?: string;
}

const key = (kind: string, name: string) => `${kind}/${name}`;

/** Applies NodeClasses before the NodePools that name them; prunes NodePools before their NodeClasses. */
const APPLY_ORDER: Record<ManagedKind, number> = { EC2NodeClass: 0, NodePool: 1 };

export function planClusterSync(input: PlanInput): ClusterPlan {
  const manager = input.manager ?? FIELD_MANAGER;
  const live = new Map(input.live.map((l) => [key(l.kind, l.object.metadata.name ?? ""), l]));
  const desiredKeys = new Set(input.desired.map((d) => key(d.kind, d.name)));

  const applies: ApplyStep[] = [];
  for (const d of [...input.desired].sort((a, b) => APPLY_ORDER[a.kind] - APPLY_ORDER[b.kind])) {
    const there = live.get(key(d.kind, d.name))?.object;
    if (!there) {
      applies.push({ ...d, why: "create", changes: [], drift: [] });
      continue;
    }
    const drift = driftedFields(d.object, there, manager);
    const drifted = new Set(drift.map((f) => f.path.join("\u0000")));
    const changes = differingFields(d.object, there).filter((f) => !drifted.has(f.path.join("\u0000")));
    // A field poolkeeper applied that Git no longer sets: the apply removes it.
    const dropped = appliedFields(there, manager).filter((path) => !hasPath(d.object, path));
    if (!appliedBy(there, manager)) applies.push({ ...d, why: "adopt", changes, drift: [] });
    else if (drift.length > 0) applies.push({ ...d, why: "drift", changes, drift });
    else if (changes.length > 0 || dropped.length > 0) applies.push({ ...d, why: "update", changes, drift: [] });
  }

  const referenced = nodeClassReferences([
    ...input.desired.filter((d) => d.kind === "NodePool").map((d) => d.object),
    ...input.live.filter((l) => l.kind === "NodePool").map((l) => l.object as Record<string, unknown>),
  ]);
  const removals: Removal[] = [];
  const gone = input.live
    .filter((l) => !desiredKeys.has(key(l.kind, l.object.metadata.name ?? "")))
    .filter((l) => appliedBy(l.object, manager) && l.object.metadata.deletionTimestamp === undefined)
    .sort((a, b) => APPLY_ORDER[b.kind] - APPLY_ORDER[a.kind]);
  for (const { kind, object } of gone) {
    const name = object.metadata.name ?? "";
    const base = { kind, name, ...(object.metadata.uid ? { uid: object.metadata.uid } : {}) };
    const users = kind === "EC2NodeClass" ? (referenced.get(name) ?? []) : [];
    if (users.length > 0) {
      const pools = users.map((p) => `NodePool ${p}`).join(", ");
      removals.push({ ...base, action: "keep", why: `removed from Git; left in place: still referenced by ${pools}` });
      continue;
    }
    const annotation = object.metadata.annotations?.[PRUNE_ANNOTATION];
    if (annotation === "true" || (annotation !== "false" && input.prune)) {
      const by = annotation === "true" ? `its ${PRUNE_ANNOTATION} annotation` : "prune: true";
      removals.push({ ...base, action: "prune", why: `removed from Git; deleted (${by})` });
    } else {
      const by = annotation === "false" ? `its ${PRUNE_ANNOTATION} annotation is "false"` : "prune is off";
      removals.push({ ...base, action: "keep", why: `removed from Git; left in place (${by})` });
    }
  }
  return { applies, removals };
}

/** The NodePools naming each EC2NodeClass (`spec.template.spec.nodeClassRef`), each pool once. */
export function nodeClassReferences(nodePools: readonly Record<string, unknown>[]): Map<string, string[]> {
  const users = new Map<string, string[]>();
  for (const pool of nodePools) {
    const ref = at(pool, ["spec", "template", "spec", "nodeClassRef"]);
    if (!isRecord(ref) || (ref.kind !== undefined && ref.kind !== "EC2NodeClass")) continue;
    if (typeof ref.name !== "string") continue;
    const name = String(at(pool, ["metadata", "name"]) ?? "");
    const list = users.get(ref.name) ?? [];
    if (!list.includes(name)) list.push(name);
    users.set(ref.name, list);
  }
  return users;
}

function at(object: unknown, path: readonly string[]): unknown {
  let node = object;
  for (const k of path) node = isRecord(node) ? node[k] : undefined;
  return node;
}

function hasPath(object: Record<string, unknown>, path: readonly string[]): boolean {
  return at(object, path) !== undefined;
}
