// The references family: how NodePools relate to the EC2NodeClasses and the other NodePools in scope (the bundle
// being checked, or the cluster's view in the webhook).
import { isRecord, unlessInvalid, type NodePool } from "../../api/index.ts";
import { RequirementSet, type NodeSelectorRequirement } from "../../scheduling/index.ts";
import type { InstanceTypeCatalog } from "../../cloudprovider/index.ts";
import { ClosestNameIndex, closestName } from "../../api/index.ts";
import { fieldsKey } from "../memoized-rule.ts";
import { defineRule } from "../rule.ts";
import { perScope, scopeTextKey } from "../scope-key.ts";
import { typedTarget, type NodePoolTarget, type PolicyTarget, type Scope } from "../target.ts";

const AWS_GROUP = "karpenter.k8s.aws";
const AWS_KIND = "EC2NodeClass";
const REF_PATH = ["spec", "template", "spec", "nodeClassRef"];

interface NodeClassRef {
  group: string;
  kind: string;
  name: string;
}

export function nodeClassRefOf(object: Record<string, unknown>): NodeClassRef | undefined {
  const spec = isRecord(object.spec) ? object.spec : undefined;
  const template = spec && isRecord(spec.template) ? spec.template : undefined;
  const templateSpec = template && isRecord(template.spec) ? template.spec : undefined;
  const ref = templateSpec?.nodeClassRef;
  if (!isRecord(ref)) return undefined;
  const field = (key: string) => (typeof ref[key] === "string" ? (ref[key] as string) : "");
  return { group: field("group"), kind: field("kind"), name: field("name") };
}

const isAwsRef = (ref: NodeClassRef) => ref.group === AWS_GROUP && ref.kind === AWS_KIND;

interface ClassNames {
  names: string[];
  set: ReadonlySet<string>;
  /** Built on the first reference that misses: most scopes have none, and building it cost 2.5 % of evaluate. */
  suggestions: () => ClosestNameIndex;
}

// The EC2NodeClass names in scope, once per evaluation (its scope): every NodePool looks its reference up in them,
// so a search per pool made a bundle of many pools and classes quadratic.
const classNamesByScope = new WeakMap<Scope, ClassNames>();

function classNamesOf(scope: Scope): ClassNames {
  let found = classNamesByScope.get(scope);
  if (!found) {
    const names = scope.nodeClasses.map((c) => c.name);
    found = { names, set: new Set(names), suggestions: lazy(() => new ClosestNameIndex(names)) };
    classNamesByScope.set(scope, found);
  }
  return found;
}

// What the check reads of the scope: whether it covers the classes, and their names in order (the message lists
// the first five).
const classNamesKey = perScope((scope) => ({
  key: `${scope.covers(AWS_KIND)},${scopeTextKey(JSON.stringify(classNamesOf(scope).names))}`,
}));

export const nodeClass = defineRule({
  id: "references.node-class",
  family: "references",
  title: "nodeClassRef names an EC2NodeClass that exists",
  docs: `A NodePool launches nodes only through the EC2NodeClass its \`spec.template.spec.nodeClassRef\` names. When that
class does not exist, Karpenter marks the NodePool \`NodeClassReady=False\` (NodeClassNotFound) and the provisioner
skips it: pods that only this pool could serve stay Pending, with no error on the pods themselves.

The finding is certain only when every EC2NodeClass that could be referenced is known: in the webhook (the
cluster's view), or when the bundle being checked holds at least one EC2NodeClass (a repository that keeps its
classes next to its pools). When the bundle holds no EC2NodeClass at all (a change to NodePools only), poolkeeper
cannot know the cluster's classes and says nothing; the webhook judges the reference at admission.

Fix: correct the name (the finding suggests a close one), or add the EC2NodeClass to the same change.`,
  kinds: ["NodePool"],
  view: "raw",
  enforcement: { baseline: "deny", strict: "deny" },
  reads: ["scope"],
  scopeKey: (_target, scope) => classNamesKey(scope).key,
  check(target, { scope }) {
    const ref = nodeClassRefOf(target.object);
    if (!ref || !isAwsRef(ref) || ref.name === "" || !scope.covers(AWS_KIND)) return [];
    const { names, set, suggestions } = classNamesOf(scope);
    if (set.has(ref.name)) return [];
    const suggestion = suggestions().closest(ref.name);
    const known = names.length === 0 ? "none" : names.slice(0, 5).join(", ") + (names.length > 5 ? ", …" : "");
    return [
      {
        path: [...REF_PATH, "name"],
        message: `nodeClassRef names EC2NodeClass "${ref.name}", which is not among the EC2NodeClasses in scope (${known}), so Karpenter launches no nodes for this NodePool.`,
        hint: suggestion
          ? `did you mean "${suggestion}"?`
          : `add EC2NodeClass "${ref.name}" to the change, or reference an existing one`,
      },
    ];
  },
});

export const foreignNodeClass = defineRule({
  id: "references.foreign-node-class",
  family: "references",
  title: "nodeClassRef points at an EC2NodeClass (karpenter.k8s.aws)",
  docs: `Karpenter manages only the NodePools whose \`nodeClassRef\` has a group and kind its cloud provider supports; the
AWS provider supports \`group: karpenter.k8s.aws\`, \`kind: EC2NodeClass\`. A NodePool that names anything else (a
typo such as \`kind: Ec2NodeClass\`, or another provider's class copied from elsewhere) is ignored by the AWS
provider and launches nothing — and poolkeeper cannot check a class it does not model.

Both fields are immutable once the NodePool exists (the CRD's CEL rules), so fixing them later means deleting and
recreating the NodePool.

Fix: \`group: karpenter.k8s.aws\` and \`kind: EC2NodeClass\`; exempt the NodePool if it really belongs to another
provider.`,
  kinds: ["NodePool"],
  view: "raw",
  fields: [["object", "spec", "template", "spec", "nodeClassRef"]],
  enforcement: { baseline: "warn", strict: "deny" },
  check(target) {
    const ref = nodeClassRefOf(target.object);
    // An empty group or kind is the CRD's own error (schema.cel).
    if (!ref || ref.group === "" || ref.kind === "" || isAwsRef(ref)) return [];
    const typo = closestName(ref.group, [AWS_GROUP]) !== undefined && closestName(ref.kind, [AWS_KIND]) !== undefined;
    const path = ref.group !== AWS_GROUP ? [...REF_PATH, "group"] : [...REF_PATH, "kind"];
    return [
      {
        path,
        message: `nodeClassRef points at ${ref.kind} (group ${ref.group}) rather than ${AWS_KIND} (group ${AWS_GROUP}), so Karpenter's AWS provider ignores this NodePool and poolkeeper cannot check its class.`,
        hint: typo
          ? `did you mean group ${AWS_GROUP}, kind ${AWS_KIND}? (both are immutable: recreate the NodePool to change them)`
          : `use group ${AWS_GROUP} and kind ${AWS_KIND}, or exempt this NodePool if it belongs to another provider`,
      },
    ];
  },
});

interface PoolProfile {
  weight: number;
  taints: string;
  /** The requirements (template labels included) in a canonical form: equal shapes, equal requirements. */
  shape: string;
  /** Requirements with the template labels layered on; undefined when they cannot be read. */
  requirements(): RequirementSet | undefined;
  /** Names of the catalog types the pool allows; undefined when its requirements cannot be read. */
  types(): ReadonlySet<string> | undefined;
}

// Profiles are computed once per catalog and value of what they read (so pools alike share one, with its requirement
// set and catalog types), or once per target when those values cannot be keyed: the check runs once per NodePool and
// looks at all the others. The costly parts (requirement sets, catalog matching) are computed only for pools whose
// weight and taints tie. Bounded: a fleet has far fewer distinct pools than this.
const PROFILE_LIMIT = 4096;
const PROFILE_FIELDS = [
  ["object", "spec", "replicas"],
  ["object", "spec", "weight"],
  ["object", "spec", "template", "spec", "requirements"],
  ["object", "spec", "template", "spec", "taints"],
  ["object", "spec", "template", "metadata", "labels"],
];
const profiles = new WeakMap<InstanceTypeCatalog, WeakMap<PolicyTarget, PoolProfile | null>>();
const profilesByValue = new WeakMap<InstanceTypeCatalog, Map<string, PoolProfile | null>>();

function profileOf(target: NodePoolTarget, catalog: InstanceTypeCatalog): PoolProfile | undefined {
  let byTarget = profiles.get(catalog);
  if (!byTarget) {
    byTarget = new WeakMap();
    profiles.set(catalog, byTarget);
  }
  let profile = byTarget.get(target);
  if (profile === undefined) {
    profile = profileByValue(target, catalog);
    byTarget.set(target, profile);
  }
  return profile ?? undefined;
}

function profileByValue(target: NodePoolTarget, catalog: InstanceTypeCatalog): PoolProfile | null {
  const key = fieldsKey(target, PROFILE_FIELDS);
  if (key === undefined) return computeProfile(target.nodePool, catalog) ?? null;
  let byValue = profilesByValue.get(catalog);
  if (!byValue) {
    byValue = new Map();
    profilesByValue.set(catalog, byValue);
  }
  let profile = byValue.get(key);
  if (profile === undefined) {
    profile = computeProfile(target.nodePool, catalog) ?? null;
    if (byValue.size >= PROFILE_LIMIT) byValue.clear();
    byValue.set(key, profile);
  }
  return profile;
}

function lazy<T>(compute: () => T): () => T {
  let done = false;
  let value: T;
  return () => {
    if (!done) {
      value = compute();
      done = true;
    }
    return value;
  };
}

function computeProfile(pool: NodePool, catalog: InstanceTypeCatalog): PoolProfile | undefined {
  const { spec } = pool;
  // A static pool (replicas) is not used for provisioning by weight.
  if (spec.replicas !== undefined) return undefined;
  const { template } = spec;
  // Karpenter layers the template labels onto the requirements (`key In [value]`).
  const requirements: NodeSelectorRequirement[] = [
    ...template.spec.requirements,
    ...Object.entries(template.metadata?.labels ?? {}).map(([key, value]) => ({
      key,
      operator: "In" as const,
      values: [value],
    })),
  ];
  const taints = (template.spec.taints ?? [])
    .map((t) => `${t.key}=${t.value ?? ""}:${t.effect}`)
    .sort()
    .join(",");
  // Each requirement serialized once, then sorted: serializing in the comparison costs a log factor per value.
  const shape = `[${requirements
    .map((r) => JSON.stringify([r.key, r.operator, [...(r.values ?? [])].sort()]))
    .sort()
    .join(",")}]`;
  return {
    weight: spec.weight ?? 0,
    taints,
    shape,
    // A requirement the CRD accepts but Karpenter refuses (NotIn without values): no overlap to judge.
    requirements: lazy(() => unlessInvalid(() => RequirementSet.fromRequirements(requirements))),
    types: lazy(() => unlessInvalid(() => new Set(catalog.matching(requirements).map((t) => t.name)))),
  };
}

// Whether two requirement shapes overlap, memoized per catalog: a repository of many pools has few shapes, and the
// check compares every pair, in every evaluation. Shapes are numbered so a pair's key is a number, not a string;
// past SHAPE_LIMIT shapes or PAIR_LIMIT pairs both tables start again (the pair key leaves room for 2^26 shapes).
const SHAPE_LIMIT = 4096;
const PAIR_LIMIT = 65_536;
interface OverlapMemo {
  shapes: Map<string, number>;
  pairs: Map<number, boolean>;
}
const overlapMemos = new WeakMap<InstanceTypeCatalog, OverlapMemo>();

function overlaps(catalog: InstanceTypeCatalog, a: PoolProfile, b: PoolProfile): boolean {
  let memo = overlapMemos.get(catalog);
  if (!memo || memo.shapes.size >= SHAPE_LIMIT || memo.pairs.size >= PAIR_LIMIT) {
    memo = { shapes: new Map(), pairs: new Map() };
    overlapMemos.set(catalog, memo);
  }
  const sa = shapeNumber(memo, a.shape);
  const sb = shapeNumber(memo, b.shape);
  const pair = sa < sb ? sa * 2 ** 26 + sb : sb * 2 ** 26 + sa;
  let result = memo.pairs.get(pair);
  if (result === undefined) {
    result = computeOverlap(a, b);
    memo.pairs.set(pair, result);
  }
  return result;
}

function shapeNumber(memo: OverlapMemo, shape: string): number {
  let n = memo.shapes.get(shape);
  if (n === undefined) {
    n = memo.shapes.size;
    memo.shapes.set(shape, n);
  }
  return n;
}

/** Pools of one weight, taints and requirement shape: they compete with a pool exactly alike. */
interface CompetitorGroup {
  profile: PoolProfile;
  /** Sorted once the groups are built. */
  names: string[];
}

// The scope's weighed pools grouped by "weight|taints", then by requirement shape, once per evaluation: a pool is
// compared with each group, not with every other pool.
const competitorGroups = new WeakMap<object, Map<string, Map<string, CompetitorGroup>>>();

function competitorsOf(scope: Scope, catalog: InstanceTypeCatalog): Map<string, Map<string, CompetitorGroup>> {
  let groups = competitorGroups.get(scope);
  if (groups) return groups;
  groups = new Map();
  for (const pool of scope.nodePools) {
    // A rival that failed validation is not weighed: the API server would not have it.
    const typed = typedTarget(pool);
    const profile = typed?.kind === "NodePool" ? profileOf(typed, catalog) : undefined;
    if (!profile) continue;
    const key = `${profile.weight}|${profile.taints}`;
    let byShape = groups.get(key);
    if (!byShape) {
      byShape = new Map();
      groups.set(key, byShape);
    }
    const group = byShape.get(profile.shape);
    if (group) group.names.push(pool.name);
    else byShape.set(profile.shape, { profile, names: [pool.name] });
  }
  for (const byShape of groups.values()) for (const group of byShape.values()) group.names.sort();
  competitorGroups.set(scope, groups);
  return groups;
}

// What the check reads of the scope for one weight and taints: every alike pool's shape and name. A commit that
// changes one pool re-judges only the pools of its old and new weight and taints.
const competitorKeys = new WeakMap<Scope, Map<string, string>>();

function competitorsKey(scope: Scope, catalog: InstanceTypeCatalog, group: string): string {
  let keys = competitorKeys.get(scope);
  if (!keys) {
    keys = new Map();
    for (const [key, byShape] of competitorsOf(scope, catalog)) {
      // A profile stands for its shape (profiles are kept by value: alike pools share one), so the text is short.
      const text = [...byShape.values()].map(({ profile, names }) => `${identity(profile)}:${names.join(",")}`);
      keys.set(key, scopeTextKey(`${key}\u0000${text.sort().join("\u0000")}`));
    }
    competitorKeys.set(scope, keys);
  }
  return keys.get(group) ?? "";
}

const identities = new WeakMap<PoolProfile, number>();
let nextIdentity = 1;

function identity(profile: PoolProfile): number {
  let n = identities.get(profile);
  if (n === undefined) {
    n = nextIdentity++;
    identities.set(profile, n);
  }
  return n;
}

/** How many of the sorted `names` sort before `name` (binary search). */
function countBefore(names: readonly string[], name: string): number {
  let low = 0;
  let high = names.length;
  while (low < high) {
    const mid = (low + high) >>> 1;
    if ((names[mid] ?? "") < name) low = mid + 1;
    else high = mid;
  }
  return low;
}

function computeOverlap(a: PoolProfile, b: PoolProfile): boolean {
  const ra = a.requirements();
  const rb = b.requirements();
  if (!ra || !rb) return false;
  if (!ra.intersects(rb)) return false;
  const ta = a.types();
  const tb = b.types();
  if (!ta || !tb) return true;
  for (const name of ta) if (tb.has(name)) return true;
  return false;
}

export const ambiguousWeight = defineRule({
  id: "references.ambiguous-weight",
  family: "references",
  title: "NodePools that compete for the same pods have different weights",
  docs: `When a pod can be served by several NodePools, Karpenter tries them in weight order (\`spec.weight\`, highest
first; no weight counts as 0). Pools of **equal** weight are ordered by name, *descending*
(\`OrderByWeight\` in sigs.k8s.io/karpenter): between \`general\` and \`spot\`, \`spot\` always wins, and renaming a pool
silently changes where pods land. That is rarely what the author meant.

Two NodePools are reported when they have the same weight, the same taints (pods that tolerate one pool's extra
taint usually select it on purpose), and overlapping requirements: Karpenter's compatibility check (every key both
constrain, template labels included, has a common value) holds and at least one instance type of the catalog
satisfies both. Static pools (\`spec.replicas\`) are not weighed, nor are pools that fail validation (the API
server would not have them; their \`schema.*\` findings say why). The pair is reported once, on the pool that wins
(the name later in the alphabet).

Fix: give the preferred pool a higher \`spec.weight\` (weights do not drift nodes), or make the requirements
disjoint.`,
  kinds: ["NodePool"],
  view: "typed",
  enforcement: { baseline: "warn", strict: "warn" },
  reads: ["scope"],
  scopeKey(target, scope, { catalog }) {
    const typed = typedTarget(target);
    const mine = typed?.kind === "NodePool" ? profileOf(typed, catalog) : undefined;
    return mine ? competitorsKey(scope, catalog, `${mine.weight}|${mine.taints}`) : "";
  },
  check(target, { scope, catalog }) {
    const mine = profileOf(target, catalog);
    if (!mine) return [];
    const written = isRecord(target.written.spec) ? target.written.spec : {};
    const path = "weight" in written ? ["spec", "weight"] : ["spec", "template", "spec", "requirements"];
    // One finding per pool, naming the pools it wins against: a repository of many similar pools gets one line
    // each, not one per pair.
    // Per group of alike pools: how many sort before this one, and the first three of them (names sorted once).
    let count = 0;
    const first: string[] = [];
    for (const group of competitorsOf(scope, catalog).get(`${mine.weight}|${mine.taints}`)?.values() ?? []) {
      if (!overlaps(catalog, mine, group.profile)) continue;
      const before = countBefore(group.names, target.name);
      count += before;
      first.push(...group.names.slice(0, Math.min(3, before)));
    }
    if (count === 0) return [];
    first.sort();
    const named = first
      .slice(0, 3)
      .map((n) => `"${n}"`)
      .join(", ");
    const others = count > 3 ? ` and ${count - 3} more` : "";
    const subject =
      count === 1
        ? `NodePools "${target.name}" and ${named} both have`
        : `NodePool "${target.name}" and ${named}${others} all have`;
    return [
      {
        path,
        message: `${subject} weight ${mine.weight} and overlapping requirements, so Karpenter always tries "${target.name}" first for pods that fit ${count === 1 ? "both" : "them"}, only because its name sorts later.`,
        hint: `give the pool you prefer a higher spec.weight, or make the pools' requirements disjoint`,
      },
    ];
  },
});

export const referencesRules = [nodeClass, foreignNodeClass, ambiguousWeight];
