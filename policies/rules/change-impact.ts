// The change-impact family: what a change to a NodePool or EC2NodeClass does to the nodes already running, judged
// against the previous version (a pull request's base, or the webhook's oldObject). Without a previous version
// there is nothing to compare and no finding. These are information for the reviewer, not errors.
//
// Karpenter's drift (sigs.k8s.io/karpenter and karpenter-provider-aws, v1.14.1): a NodeClaim records the hash of its
// NodePool's `spec.template` (requirements excluded) and of its EC2NodeClass's `spec` (selector terms, the literal
// amiFamily and ipPrefixCount excluded, the resolved AMI family included). When either hash changes, every
// NodeClaim made from the old one is Drifted and replaced, as fast as the pool's disruption budgets allow. Hashing
// treats lists as sets and zero values as absent. Requirements and selector terms drift per node instead: only the
// nodes that no longer match are replaced.
import { amiFamilyOf, isRecord, parseKarpenterDuration, unlessInvalid, type FieldPath } from "../../api/index.ts";
import { RequirementSet } from "../../scheduling/index.ts";
import type { NodeSelectorRequirement } from "../../scheduling/index.ts";
import { defineRule, type Violation } from "../rule.ts";
import { perScope, scopeTextKey } from "../scope-key.ts";
import type { PolicyTarget, Scope } from "../target.ts";
import { nodeClassRefOf } from "./references.ts";
import { valueAtPath } from "../../api/index.ts";

// --- comparing as Karpenter's hash does --------------------------------------------------------------------------

/** The value with zero values removed (hashstructure IgnoreZeroValue/ZeroNil) and lists as sorted sets. */
// A canonical text of a value as Karpenter's hash sees it: zero values are absent, lists compare as sets, map keys
// in order. Built as one string (items are joined, never re-escaped), so it is linear in the value's size.
function canonical(value: unknown): string | undefined {
  if (value === undefined || value === null || value === false || value === 0 || value === "") return undefined;
  if (Array.isArray(value)) {
    const items = value.map(canonical).filter((v): v is string => v !== undefined);
    return items.length === 0 ? undefined : `[${items.sort().join(",")}]`;
  }
  if (isRecord(value)) {
    const entries = Object.keys(value)
      .sort()
      .flatMap((key) => {
        const v = canonical(value[key]);
        return v === undefined ? [] : [`${JSON.stringify(key)}:${v}`];
      });
    return entries.length === 0 ? undefined : `{${entries.join(",")}}`;
  }
  return JSON.stringify(value);
}

function same(a: unknown, b: unknown): boolean {
  return canonical(a) === canonical(b);
}

// Durations are hashed as parsed values: "720h" and "43200m" are the same expiry.
function sameDuration(a: unknown, b: unknown): boolean {
  const ms = (v: unknown) => {
    if (typeof v !== "string") return undefined;
    const d = unlessInvalid(() => parseKarpenterDuration(v, { allowNever: true }));
    return d === undefined ? v : d.never ? "Never" : String(d.ms);
  };
  return ms(a) === ms(b);
}

const at = valueAtPath;

/** For maps (labels, tags, kubelet…): which keys were added, removed or changed, for the message. */
function keyChanges(before: unknown, after: unknown): string {
  const a = isRecord(before) ? before : {};
  const b = isRecord(after) ? after : {};
  const added = Object.keys(b).filter((k) => !(k in a));
  const removed = Object.keys(a).filter((k) => !(k in b));
  const changed = Object.keys(b).filter((k) => k in a && !same(a[k], b[k]));
  const parts = [
    added.length > 0 ? `adds ${list(added)}` : "",
    removed.length > 0 ? `removes ${list(removed)}` : "",
    changed.length > 0 ? `changes ${list(changed)}` : "",
  ].filter((p) => p !== "");
  return parts.length > 0 ? ` (${parts.join(", ")})` : "";
}

function list(keys: readonly string[]): string {
  return keys.length > 3 ? `${keys.slice(0, 3).join(", ")} and ${keys.length - 3} more` : keys.join(", ");
}

// --- node counts -------------------------------------------------------------------------------------------------

// The only count poolkeeper can know: NodePool `status.nodes`, present on the webhook's oldObject (and on the
// cluster's NodePools); a Git base has no status, and then the message says "every node" without a number.
function statusNodes(object: unknown): number | undefined {
  const nodes = at(object, ["status", "nodes"]);
  return typeof nodes === "number" && Number.isInteger(nodes) && nodes >= 0 ? nodes : undefined;
}

function countText(count: number | undefined): string {
  return count === undefined ? "" : ` (${count} node${count === 1 ? "" : "s"} at the last status)`;
}

/** The NodePools in scope that use this EC2NodeClass, and their total node count when every one reports it. */
function poolsUsing(target: PolicyTarget, scope: Scope): { names: string[]; count: number | undefined } {
  const pools = scope.nodePools.filter((p) => {
    const ref = nodeClassRefOf(p.object);
    return ref?.group === "karpenter.k8s.aws" && ref.kind === "EC2NodeClass" && ref.name === target.name;
  });
  const counts = pools.map((p) => statusNodes(p.object));
  const count =
    pools.length > 0 && counts.every((c) => c !== undefined)
      ? counts.reduce<number>((s, c) => s + (c ?? 0), 0)
      : undefined;
  return { names: pools.map((p) => p.name).sort(), count };
}

// --- NodePool ----------------------------------------------------------------------------------------------------

interface HashedField {
  path: readonly string[];
  duration?: boolean;
  map?: boolean;
}

const TEMPLATE = ["spec", "template"];
const NODEPOOL_HASHED: readonly HashedField[] = [
  { path: [...TEMPLATE, "metadata", "labels"], map: true },
  { path: [...TEMPLATE, "metadata", "annotations"], map: true },
  { path: [...TEMPLATE, "spec", "taints"] },
  { path: [...TEMPLATE, "spec", "startupTaints"] },
  { path: [...TEMPLATE, "spec", "expireAfter"], duration: true },
  { path: [...TEMPLATE, "spec", "terminationGracePeriod"], duration: true },
  { path: [...TEMPLATE, "spec", "nodeClassRef"] },
];

function changed(field: HashedField, before: unknown, after: unknown): boolean {
  const a = at(before, field.path);
  const b = at(after, field.path);
  return field.duration ? !sameDuration(a, b) : !same(a, b);
}

function describeChange(field: HashedField, before: unknown, after: unknown): string {
  const a = at(before, field.path);
  const b = at(after, field.path);
  if (field.map) return keyChanges(a, b);
  if (field.duration || typeof a === "string" || typeof b === "string") {
    return ` from ${typeof a === "string" ? a : "unset"} to ${typeof b === "string" ? b : "unset"}`;
  }
  return "";
}

export const nodepoolDrift = defineRule({
  id: "change-impact.nodepool-drift",
  family: "change-impact",
  title: "Changes to a NodePool's node template that replace all its nodes",
  docs: `Karpenter stamps every NodeClaim with a hash of its NodePool's \`spec.template\` — everything in it except
\`requirements\`. Change any hashed field and **every existing node of the pool is marked Drifted and replaced**,
cordoned and drained as fast as the pool's disruption budgets allow (10% of the nodes at a time by default):

- \`spec.template.metadata.labels\` and \`annotations\`
- \`spec.template.spec.taints\` and \`startupTaints\`
- \`spec.template.spec.expireAfter\` and \`terminationGracePeriod\`
- \`spec.template.spec.nodeClassRef\` (switching the pool to another EC2NodeClass)

The hash treats lists as sets and empty values as absent, so reordering taints or adding an empty \`labels: {}\`
is not reported. \`spec.weight\`, \`spec.limits\` and \`spec.disruption\` never drift nodes; narrowing
\`requirements\` replaces only the nodes that no longer match (\`change-impact.conditional-drift\`).

One finding per changed field, at the field in the new version. The number of nodes is given when the previous
version carries \`status.nodes\` (the webhook's oldObject); a pull request's base has no status, so the message
then says "every node" without a count.

This is information for the reviewer, not an error: roll such changes out when a replacement of the pool is
acceptable, and check the pool's disruption budgets first (a budget of \`nodes: "0"\` for \`Drifted\` holds the
rollout back).`,
  kinds: ["NodePool"],
  view: "raw",
  enforcement: { baseline: "warn", strict: "warn" },
  check(target) {
    const before = target.previous;
    if (!before) return [];
    const count = countText(statusNodes(before));
    const out: Violation[] = [];
    for (const field of NODEPOOL_HASHED) {
      if (!changed(field, before, target.object)) continue;
      const name = field.path.join(".");
      const isRef = field.path.at(-1) === "nodeClassRef";
      const oldRef = nodeClassRefOf(before);
      const newRef = nodeClassRefOf(target.object);
      const what =
        isRef && oldRef && newRef && oldRef.name !== newRef.name
          ? `switching ${name} from ${oldRef.kind} "${oldRef.name}" to "${newRef.name}"`
          : `changing ${name}${describeChange(field, before, target.object)}`;
      out.push({
        path: field.path as FieldPath,
        message: `${what} replaces every node of this NodePool${count} through drift, as fast as its disruption budgets allow.`,
        hint: "roll this out when replacing the pool's nodes is acceptable, or hold it back with a Drifted budget",
      });
    }
    return out;
  },
});

// --- EC2NodeClass ------------------------------------------------------------------------------------------------

// Not in the EC2NodeClass hash: they drift through what they resolve to (or not at all).
const RESOLVED = ["subnetSelectorTerms", "securityGroupSelectorTerms", "amiSelectorTerms"] as const;
const NOT_HASHED = new Set<string>([
  ...RESOLVED,
  "capacityReservationSelectorTerms",
  "placementGroupSelector",
  "amiFamily",
  "ipPrefixCount",
]);
const MAP_FIELDS = new Set(["tags", "kubelet", "metadataOptions"]);

function specOf(object: unknown): Record<string, unknown> {
  const spec = at(object, ["spec"]);
  return isRecord(spec) ? spec : {};
}

// What a class's check reads of the scope: the NodePools that use it and their node counts, for every class at
// once (one pass over the pools per scope). A NodePool's answer does not read the scope.
const usersKeys = perScope((scope) => {
  const users = new Map<string, string[]>();
  for (const pool of scope.nodePools) {
    const use = classUse(pool);
    if (use === null) continue;
    let list = users.get(use.className);
    if (!list) {
      list = [];
      users.set(use.className, list);
    }
    list.push(use.entry);
  }
  const keys = new Map<string, string>();
  for (const [name, list] of users) keys.set(name, scopeTextKey(list.sort().join(",")));
  return { covered: scope.covers("NodePool"), keys };
});

// A pool's class and its entry in the class's key, once per pool (a target is immutable): the scope's pools are
// mostly the previous commit's.
const classUses = new WeakMap<PolicyTarget, { className: string; entry: string } | null>();

function classUse(pool: PolicyTarget): { className: string; entry: string } | null {
  let use = classUses.get(pool);
  if (use === undefined) {
    const ref = nodeClassRefOf(pool.object);
    use =
      ref?.group === "karpenter.k8s.aws" && ref.kind === "EC2NodeClass"
        ? { className: ref.name, entry: `${pool.name}=${statusNodes(pool.object) ?? ""}` }
        : null;
    classUses.set(pool, use);
  }
  return use;
}

function usersKey(target: PolicyTarget, scope: Scope): string {
  if (target.kind !== "EC2NodeClass" || target.previous === undefined) return "";
  const { covered, keys } = usersKeys(scope);
  return covered ? (keys.get(target.name) ?? "none") : "uncovered";
}

function usedBy(target: PolicyTarget, scope: Scope): { pools: string; count: string } {
  if (!scope.covers("NodePool")) return { pools: "", count: "" };
  const { names, count } = poolsUsing(target, scope);
  const pools = names.length === 0 ? "" : ` (NodePool${names.length === 1 ? "" : "s"} ${list(names)})`;
  return { pools, count: countText(count) };
}

export const nodeclassDrift = defineRule({
  id: "change-impact.nodeclass-drift",
  family: "change-impact",
  title: "Changes to an EC2NodeClass that replace every node launched from it",
  docs: `Karpenter stamps every NodeClaim with a hash of its EC2NodeClass's \`spec\`. Change any hashed field and **every
node launched from the class — in every NodePool that uses it — is marked Drifted and replaced**, as fast as each
pool's disruption budgets allow. Hashed: everything in \`spec\` except the selector terms (\`subnetSelectorTerms\`,
\`securityGroupSelectorTerms\`, \`amiSelectorTerms\`, \`capacityReservationSelectorTerms\`), \`ipPrefixCount\` and
the literal \`amiFamily\` (\`placementGroupSelector\`, which also resolves to an EC2 resource, is not reported
either) — for example \`userData\`, \`blockDeviceMappings\`, \`metadataOptions\`, \`tags\`, \`kubelet\`,
\`role\`, \`instanceProfile\`, \`instanceStorePolicy\`, \`detailedMonitoring\`, \`associatePublicIPAddress\`.

The AMI family is hashed as *resolved* (\`amiFamily\`, or the family of the \`alias\` term): setting
\`amiFamily: AL2023\` next to \`alias: al2023@latest\` changes nothing, while switching families replaces every node.

The hash treats lists as sets and empty values as absent. One finding per changed field, naming the NodePools in
scope that use the class (and their node count when every one of them reports \`status.nodes\`, as the cluster's
NodePools do in the webhook). Selector-term changes are \`change-impact.conditional-drift\`.

This is information for the reviewer, not an error.`,
  kinds: ["EC2NodeClass"],
  view: "raw",
  enforcement: { baseline: "warn", strict: "warn" },
  reads: ["scope"],
  scopeKey: usersKey,
  check(target, { scope }) {
    if (!target.previous) return [];
    const before = specOf(target.previous);
    const after = specOf(target.object);
    const { pools, count } = usedBy(target, scope);
    const impact = `replaces every node launched from this EC2NodeClass${pools}${count} through drift, as fast as the pools' disruption budgets allow.`;
    const hint = "roll this out when replacing the class's nodes is acceptable, or hold it back with Drifted budgets";
    const out: Violation[] = [];
    const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort();
    for (const key of keys) {
      if (NOT_HASHED.has(key) || same(before[key], after[key])) continue;
      const detail = MAP_FIELDS.has(key)
        ? keyChanges(before[key], after[key])
        : key === "role" || key === "instanceProfile"
          ? describeValue(before[key], after[key])
          : "";
      out.push({ path: ["spec", key], message: `changing spec.${key}${detail} ${impact}`, hint });
    }
    const oldFamily = amiFamilyOf(before);
    const newFamily = amiFamilyOf(after);
    if (oldFamily !== undefined && newFamily !== undefined && oldFamily !== newFamily) {
      const written = isRecord(target.written.spec) && "amiFamily" in target.written.spec;
      out.push({
        path: written ? ["spec", "amiFamily"] : ["spec", "amiSelectorTerms"],
        message: `changing the AMI family from ${oldFamily} to ${newFamily} ${impact}`,
        hint,
      });
    }
    return out;
  },
});

function describeValue(a: unknown, b: unknown): string {
  return ` from ${typeof a === "string" ? a : "unset"} to ${typeof b === "string" ? b : "unset"}`;
}

// --- conditional drift -------------------------------------------------------------------------------------------

// By object: a target's object and previous version are immutable and judged again with every commit.
const requirementSets = new WeakMap<object, RequirementSet | null>();

function requirementSet(object: unknown): RequirementSet | undefined {
  if (typeof object !== "object" || object === null) return computeRequirementSet(object);
  let set = requirementSets.get(object);
  if (set === undefined) {
    set = computeRequirementSet(object) ?? null;
    requirementSets.set(object, set);
  }
  return set ?? undefined;
}

function computeRequirementSet(object: unknown): RequirementSet | undefined {
  const reqs = at(object, [...TEMPLATE, "spec", "requirements"]);
  // fromRequirements checks each requirement (whatever it holds) and rejects an invalid one: schema.*'s finding.
  return unlessInvalid(() =>
    RequirementSet.fromRequirements(Array.isArray(reqs) ? (reqs as NodeSelectorRequirement[]) : []),
  );
}

/** Keys on which the new requirements allow less than the old ones did, described for the message. */
function narrowedKeys(before: RequirementSet, after: RequirementSet): string[] {
  const out: string[] = [];
  for (const key of [...new Set([...before.keys(), ...after.keys()])].sort()) {
    const a = before.valuesFor(key);
    const b = after.valuesFor(key);
    if (a.allowsAbsent && !b.allowsAbsent) {
      out.push(`${key} is now required`);
      continue;
    }
    if (!a.complement) {
      const lost = a.values.filter((v) => !after.allows(key, v));
      if (lost.length > 0) out.push(`${key} no longer allows ${list(lost)}`);
      continue;
    }
    // The old set was open-ended (NotIn, Exists, Gt/Lt, or no requirement): any finite list or new exclusion narrows it.
    const newlyExcluded = b.complement ? b.values.filter((v) => before.allows(key, v)) : [];
    const tighterBound =
      (b.greaterThan !== undefined && (a.greaterThan === undefined || b.greaterThan > a.greaterThan)) ||
      (b.lessThan !== undefined && (a.lessThan === undefined || b.lessThan < a.lessThan));
    if (!b.complement) out.push(`${key} is now limited to ${list(b.values)}`);
    else if (newlyExcluded.length > 0) out.push(`${key} no longer allows ${list(newlyExcluded)}`);
    else if (tighterBound) out.push(`${key} has a tighter bound`);
  }
  return out;
}

const RESOLVES_TO: Record<(typeof RESOLVED)[number], string> = {
  subnetSelectorTerms: "whose subnet the new terms no longer select",
  securityGroupSelectorTerms: "whose security groups differ from those the new terms select",
  amiSelectorTerms: "whose AMI is not among those the new terms resolve to",
};

export const conditionalDrift = defineRule({
  id: "change-impact.conditional-drift",
  family: "change-impact",
  title: "Changes that replace the nodes that no longer match them",
  docs: `Some fields are not hashed: Karpenter compares each node with what they resolve to, and replaces (drifts) only the
nodes that no longer match — which can be none of them or all of them.

- **NodePool \`spec.template.spec.requirements\`**, when the new requirements allow less than the old ones did (a
  capacity type, zone, instance family or size dropped, a bound tightened, a key newly required): nodes whose
  labels no longer satisfy them are replaced. Widening the requirements replaces nothing and is not reported.
- **EC2NodeClass \`amiSelectorTerms\`**: nodes whose AMI is not among the AMIs the new terms resolve to are
  replaced. Moving from \`alias: al2023@latest\` to a pinned version, or pointing at a new AMI, usually replaces
  every node; with \`@latest\`, a new AMI release does the same without any change to the manifest.
- **EC2NodeClass \`subnetSelectorTerms\` and \`securityGroupSelectorTerms\`**: nodes in a subnet the new terms no
  longer select, or whose security groups differ from the newly selected set, are replaced.

poolkeeper does not know which AMIs, subnets or security groups the terms resolve to in your account, so the
message says "may". Lists are compared as sets: reordering terms is not reported. This is information for the
reviewer, not an error.`,
  kinds: ["NodePool", "EC2NodeClass"],
  view: "raw",
  enforcement: { baseline: "warn", strict: "warn" },
  reads: ["scope"],
  scopeKey: usersKey,
  check(target, { scope }) {
    if (!target.previous) return [];
    if (target.kind === "NodePool") {
      const before = requirementSet(target.previous);
      const after = requirementSet(target.object);
      if (!before || !after) return [];
      const narrowed = narrowedKeys(before, after);
      if (narrowed.length === 0) return [];
      return [
        {
          path: [...TEMPLATE, "spec", "requirements"],
          message: `narrowing spec.template.spec.requirements (${list(narrowed)}) replaces, through drift, the nodes of this NodePool whose labels no longer satisfy them.`,
          hint: "check which running nodes no longer match (kubectl get nodes -L <key>) before rolling this out",
        },
      ];
    }
    const before = specOf(target.previous);
    const after = specOf(target.object);
    const { pools } = usedBy(target, scope);
    const out: Violation[] = [];
    for (const key of RESOLVED) {
      if (same(before[key], after[key])) continue;
      out.push({
        path: ["spec", key],
        message: `changing spec.${key} may replace, through drift, the nodes of this EC2NodeClass${pools} ${RESOLVES_TO[key]}, up to all of them.`,
        hint: "compare what the old and new terms resolve to (the EC2NodeClass status lists the current AMIs, subnets and security groups) before rolling this out",
      });
    }
    return out;
  },
});

export const changeImpactRules = [nodepoolDrift, nodeclassDrift, conditionalDrift];
