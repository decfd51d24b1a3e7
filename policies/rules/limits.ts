// The limits family: `spec.limits`, the only brake on how much a NodePool can launch. Karpenter counts each node's
// capacity (vCPUs, and memory less its VM overhead) against the limits, drops instance types larger than what is
// left, and never removes nodes when a limit is lowered; there is no cluster-wide or cost limit in Karpenter itself.
import type { Operation } from "fast-json-patch";
import {
  addQuantities,
  compareQuantities,
  formatQuantity,
  isRecord,
  parseQuantity,
  Quantity,
  unlessInvalid,
  type FieldPath,
} from "../../api/index.ts";
import {
  karpenterMemoryMiB,
  type CatalogInstanceType as InstanceType,
  type InstanceTypeCatalog,
} from "../../cloudprovider/index.ts";
import { defineRule, type Violation } from "../rule.ts";
import { perScope } from "../scope-key.ts";
import type { PolicyTarget } from "../target.ts";
import { examples, poolTypes } from "./instance-types.ts";

const kinds = ["NodePool"] as const;
const LIMITS: FieldPath = ["spec", "limits"];
const MIB = 1024 * 1024;

// A quantity parameter: what `spec.limits` itself accepts.
const QUANTITY_PARAM = {
  anyOf: [
    { type: "integer", minimum: 0 },
    {
      type: "string",
      pattern:
        "^(\\+|-)?(([0-9]+(\\.[0-9]*)?)|(\\.[0-9]+))(([KMGTPE]i)|[numkMGTPE]|([eE](\\+|-)?(([0-9]+(\\.[0-9]*)?)|(\\.[0-9]+))))?$",
    },
  ],
};
// Caps per resource name (`cpu`, `memory`, `nodes`, `nvidia.com/gpu`…).
const CAPS_PARAMS = {
  schema: { additionalProperties: QUANTITY_PARAM },
  defaults: {} as Record<string, string | number>,
};

// Resources whose per-node capacity the catalog knows; `pods` depends on the EC2NodeClass's kubelet settings and
// `ephemeral-storage` on its block devices, so they are not judged.
const GPU_RESOURCES = ["nvidia.com/gpu", "amd.com/gpu", "habana.ai/gaudi", "aws.amazon.com/neuron"];
const KNOWN_RESOURCES = new Set(["cpu", "memory", "nodes", ...GPU_RESOURCES]);
// Resources counted in whole units, for which a binary (memory) suffix is a slip.
const COUNT_RESOURCES = new Set(["cpu", "nodes", "pods", ...GPU_RESOURCES]);

function spec(target: PolicyTarget): Record<string, unknown> {
  return isRecord(target.object.spec) ? target.object.spec : {};
}

function limitsOf(target: PolicyTarget): Record<string, unknown> {
  const limits = spec(target).limits;
  return isRecord(limits) ? limits : {};
}

function isStatic(target: PolicyTarget): boolean {
  return spec(target).replicas !== undefined;
}

function hasErrorAt(target: PolicyTarget, path: FieldPath): boolean {
  return target.validation.some((e) => path.every((segment, i) => e.path[i] === segment));
}

interface Limit {
  readonly name: string;
  /** As written (YAML gives numbers for `cpu: 100`). */
  readonly raw: string;
  readonly quantity: Quantity;
}

// Every limits rule, and limits.cluster-total for every pool in scope, reads the same list: once per target.
const limitLists = new WeakMap<PolicyTarget, Limit[]>();

/** The pool's limits that parse and pass the schema (schema.* reports the others). */
function limitList(target: PolicyTarget): Limit[] {
  let list = limitLists.get(target);
  if (!list) {
    list = computeLimitList(target);
    limitLists.set(target, list);
  }
  return list;
}

function computeLimitList(target: PolicyTarget): Limit[] {
  // The limits with a schema error, found in one pass over the errors rather than one per limit.
  const invalid = new Set<unknown>();
  for (const e of target.validation) if (e.path[0] === LIMITS[0] && e.path[1] === LIMITS[1]) invalid.add(e.path[2]);
  const out: Limit[] = [];
  for (const [name, value] of Object.entries(limitsOf(target))) {
    if (invalid.has(name) || (typeof value !== "string" && typeof value !== "number")) continue;
    // Not a quantity: schema.structural's finding.
    const quantity = unlessInvalid(() => parseQuantity(value));
    if (quantity) out.push({ name, raw: String(value), quantity });
  }
  return out.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/** A node's capacity of `resource` as Karpenter counts it against limits; undefined when the catalog cannot know. */
function capacity(type: InstanceType, resource: string, catalog: InstanceTypeCatalog): Quantity | undefined {
  if (resource === "nodes") return parseQuantity(1);
  if (!KNOWN_RESOURCES.has(resource)) return undefined;
  return catalog.capacityOf(type)[resource] ?? parseQuantity(0);
}

function slipHint(limit: Limit): string | undefined {
  const slip = unitSlip(limit);
  return slip && `${slip.reason}: did you mean ${slip.meant}?`;
}

const fitsIn = (type: InstanceType, limit: Limit, catalog: InstanceTypeCatalog) => {
  const cap = capacity(type, limit.name, catalog);
  return cap === undefined || compareQuantities(cap, limit.quantity) <= 0;
};

function plural(n: number | string, word: string): string {
  return `${n} ${word}${Number(n) === 1 ? "" : "s"}`;
}

function describeCapacity(type: InstanceType, resource: string, catalog: InstanceTypeCatalog): string {
  if (resource === "cpu") return plural(type.vcpu, "vCPU");
  if (resource === "memory") {
    return `${karpenterMemoryMiB(type).toLocaleString("en-US")} MiB of memory capacity as Karpenter counts it (EC2's ${type.memoryMiB.toLocaleString("en-US")} MiB less the VM overhead)`;
  }
  return `${formatQuantity(capacity(type, resource, catalog) ?? 0)} ${resource}`;
}

function describeLimit(limit: Limit): string {
  const value = limit.quantity.toNumber();
  if (limit.name === "cpu") return `${limit.raw} (${plural(value.toLocaleString("en-US"), "vCPU")})`;
  if (limit.name === "memory") return `${limit.raw} (${describeBytes(value)})`;
  return limit.raw;
}

function describeBytes(bytes: number): string {
  if (bytes < 1024) return plural(bytes.toLocaleString("en-US", { maximumFractionDigits: 3 }), "byte");
  for (const [unit, size] of [
    ["TiB", 1024 ** 4],
    ["GiB", 1024 ** 3],
    ["MiB", 1024 ** 2],
    ["KiB", 1024],
  ] as const) {
    if (bytes >= size) return `${(bytes / size).toLocaleString("en-US", { maximumFractionDigits: 2 })} ${unit}`;
  }
  return `${bytes} bytes`;
}

const QUANTITY_PARTS = /^[+-]?([0-9]*\.?[0-9]*)((?:[KMGTPE]i)|[numkMGTPE]|[eE][+-]?[0-9.]+)?$/;

interface UnitSlip {
  /** What the written value really is. */
  readonly reason: string;
  /** The value probably meant. */
  readonly meant: string;
  /** Whether the slip is worth a finding of its own (`limits.unit-mix`), or only explains an unreachable limit. */
  readonly suspicious: boolean;
}

/** What a slip of units in a limit probably meant, when the written suffix suggests one. */
function unitSlip(limit: Limit): UnitSlip | undefined {
  const [, digits = "", suffix] = QUANTITY_PARTS.exec(limit.raw) ?? [];
  if (COUNT_RESOURCES.has(limit.name) && suffix !== undefined && suffix.endsWith("i")) {
    const counted = limit.name === "cpu" ? "vCPUs" : "whole units";
    const reason = `${limit.name} counts ${counted}, and "${suffix}" is a binary memory suffix, so ${limit.raw} is ${limit.quantity.toNumber().toLocaleString("en-US")}`;
    return { reason, meant: digits, suspicious: true };
  }
  // "4000m" is a plausible way to write 4 vCPUs: only an explanation when the limit is too small.
  if (limit.name === "cpu" && suffix === "m" && !limit.quantity.isZero()) {
    const reason = `"m" means thousandths of a vCPU, so ${limit.raw} is ${plural(limit.quantity.toNumber(), "vCPU")}`;
    return { reason, meant: digits, suspicious: false };
  }
  if (limit.name !== "memory" || limit.quantity.isZero()) return undefined;
  if (suffix === "m" || suffix === "u" || suffix === "n") {
    const unit = suffix === "m" ? "milli (thousandths), not mebi" : suffix === "u" ? "micro" : "nano";
    const reason = `"${suffix}" means ${unit}, so ${limit.raw} is less than one byte`;
    return { reason, meant: `${digits}${suffix === "m" ? "Mi" : "Gi"}`, suspicious: true };
  }
  if (suffix === undefined && limit.quantity.toNumber() < MIB) {
    const reason = `a memory quantity without a suffix is in bytes, so ${limit.raw} is ${describeBytes(limit.quantity.toNumber())}`;
    return { reason, meant: `${digits}Gi`, suspicious: true };
  }
  return undefined;
}

interface Blocking {
  zero: Limit[];
  tooSmall: Limit[];
  together: boolean;
  types: InstanceType[];
}

// Three rules ask for the same answer about the same pool: compute it once per target.
const blockingCache = new WeakMap<PolicyTarget, Blocking | null>();

/** Limits that leave the pool no instance type: each alone, or several together (`together`). */
function blockingLimits(target: PolicyTarget, catalog: InstanceTypeCatalog): Blocking | undefined {
  let cached = blockingCache.get(target);
  if (cached === undefined) {
    cached = computeBlockingLimits(target, catalog) ?? null;
    blockingCache.set(target, cached);
  }
  return cached ?? undefined;
}

function computeBlockingLimits(target: PolicyTarget, catalog: InstanceTypeCatalog): Blocking | undefined {
  const pool = poolTypes(target, catalog);
  if (!pool || pool.types.length === 0) return undefined;
  const limits = limitList(target).filter((l) => KNOWN_RESOURCES.has(l.name));
  // No type fits when even the smallest is larger than the limit.
  const blocks = (l: Limit) => compareQuantities(smallestCapacity(pool.types, l.name, catalog), l.quantity) > 0;
  const zero = limits.filter((l) => l.quantity.sign() <= 0 && blocks(l));
  const tooSmall = limits.filter((l) => l.quantity.sign() > 0 && blocks(l));
  const positive = limits.filter((l) => l.quantity.sign() > 0);
  const together =
    zero.length === 0 && tooSmall.length === 0 && !pool.types.some((t) => positive.every((l) => fitsIn(t, l, catalog)));
  return { zero, tooSmall, together, types: pool.types };
}

// The smallest capacity of a known resource among a pool's types, by the types list (the memoized catalog's answer,
// shared by every pool of the same requirements, with their different limits): one pass over the types per list and
// resource instead of one per limit and pool.
const smallestCapacities = new WeakMap<readonly InstanceType[], Map<string, Quantity>>();

function smallestCapacity(types: readonly InstanceType[], resource: string, catalog: InstanceTypeCatalog): Quantity {
  let byResource = smallestCapacities.get(types);
  if (!byResource) {
    byResource = new Map();
    smallestCapacities.set(types, byResource);
  }
  let smallest = byResource.get(resource);
  if (smallest === undefined) {
    smallest = capacity(smallestFor(types, resource, catalog), resource, catalog) ?? parseQuantity(0);
    byResource.set(resource, smallest);
  }
  return smallest;
}

function smallestFor(types: readonly InstanceType[], resource: string, catalog: InstanceTypeCatalog): InstanceType {
  let best = types[0] as InstanceType;
  let bestCap = capacity(best, resource, catalog) ?? parseQuantity(0);
  for (const type of types) {
    const cap = capacity(type, resource, catalog) ?? parseQuantity(0);
    if (compareQuantities(cap, bestCap) < 0) {
      best = type;
      bestCap = cap;
    }
  }
  return best;
}

export const required = defineRule<{ resources: string[]; requireAll: boolean }>({
  id: "limits.required",
  family: "limits",
  title: "The NodePool limits its CPU or memory",
  docs: `\`spec.limits\` is the only thing that stops a NodePool from growing: without it, Karpenter launches as many
nodes as pending pods need. In Karpenter's threat model anyone who can create pods the pool accepts can create
nodes — a runaway Deployment, a bad HPA target, a crash-looping Job or a compromised CI token can run up the bill
until someone notices. A limit turns that into pods that stay Pending.

Karpenter counts each node's capacity (vCPUs, and memory less the VM overhead) against the limits and stops
launching once a limit is reached (limits can be overrun a little: Karpenter checks them before it launches, and
several launches can be in flight). Lowering a limit never removes nodes. Karpenter has no cluster-wide or cost
limit (kubernetes-sigs/karpenter#745, #1215): see \`limits.cluster-total\` and \`limits.max-hourly-cost\`.

Reported when none of \`resources\` (default \`[cpu, memory]\`) has a limit, or, with \`requireAll: true\`, when any of
them has none. Not reported for static NodePools (\`spec.replicas\`), whose size is fixed and which may only set
\`limits.nodes\`. A pool without limits is valid Karpenter (several upstream examples have none), so this is
hardening advice: a warning in baseline, a denial in strict.

Fix: set \`spec.limits.cpu\` and \`spec.limits.memory\` to the most the pool should ever run.`,
  kinds,
  view: "raw",
  fields: [["object", "spec", "limits"], ["object", "spec", "replicas"], ["validation"]],
  enforcement: { baseline: "warn", strict: "deny" },
  params: {
    schema: {
      properties: {
        resources: { type: "array", items: { type: "string", minLength: 1 }, minItems: 1 },
        requireAll: { type: "boolean" },
      },
    },
    defaults: { resources: ["cpu", "memory"], requireAll: false },
  },
  check(target, { params, catalog }) {
    if (isStatic(target) || hasErrorAt(target, LIMITS)) return [];
    const limits = limitsOf(target);
    const missing = params.resources.filter((r) => limits[r] === undefined);
    const satisfied = params.requireAll ? missing.length === 0 : missing.length < params.resources.length;
    if (satisfied) return [];
    const nodes = limitList(target).find((l) => l.name === "nodes");
    let note = "";
    if (nodes) {
      const largest = catalog.resourceRanges(poolTypes(target, catalog)?.types ?? [])?.vcpu;
      note = ` (limits.nodes ${nodes.raw} bounds only the node count${largest ? `, and a node may have up to ${largest.max} vCPUs (${largest.largest})` : ""})`;
    }
    const what = missing.join(params.requireAll ? " and " : " or ");
    return [
      {
        path: LIMITS,
        message: `this NodePool sets no ${what} limit${note}, so it can grow without bound: anyone who can create pods it accepts can make Karpenter launch, and bill, as many nodes as those pods need.`,
        hint: `set ${missing.map((r) => `spec.limits.${r}`).join(" and ")} to the most this pool should ever run; Karpenter stops launching nodes for it once a limit is reached`,
      },
    ];
  },
});

export const unreachable = defineRule({
  id: "limits.unreachable",
  family: "limits",
  title: "Each limit leaves room for at least one node",
  docs: `Before it launches a node, Karpenter drops every instance type whose capacity exceeds what is left of the
pool's limits (a type with 2 vCPUs does not fit in \`cpu: 1\`). A limit below the capacity of the smallest
instance type the requirements allow therefore leaves no type at all, and the NodePool can never launch a node —
even when it is empty (aws/karpenter-provider-aws#6328). The usual cause is a unit slip: \`cpu: 1000m\` is one vCPU,
not a thousand; \`memory: 1000\` is a thousand bytes.

Karpenter counts capacity, not allocatable: the vCPUs, and the memory EC2 reports less 64 MiB on Graviton and a
7.5% VM overhead (its default \`vmMemoryOverheadPercent\`). GPU and Neuron limits (\`nvidia.com/gpu\`, \`amd.com/gpu\`,
\`habana.ai/gaudi\`, \`aws.amazon.com/neuron\`) only exclude types that have the device, so they block the pool
only when every allowed type has one. \`nodes\` needs at least 1. Limits on other resources (\`pods\`,
\`ephemeral-storage\`) depend on the EC2NodeClass and are not judged. When no single limit is too small but no type
fits all of them at once, the finding is on \`spec.limits\`.

A limit of exactly 0 is reported by \`limits.zero\` instead (often a pool paused on purpose). Judged against the
instance-type catalog; the smallest type and its size are named in the finding.

Fix: raise the limit above the smallest type's size (fix the unit), or allow smaller instance types.`,
  kinds,
  view: "raw",
  fields: [
    ["object", "spec", "limits"],
    ["object", "spec", "template", "spec", "requirements"],
    ["object", "spec", "template", "metadata", "labels"],
    ["validation"],
  ],
  enforcement: { baseline: "deny", strict: "deny" },
  check(target, { catalog }) {
    const blocking = blockingLimits(target, catalog);
    if (!blocking) return [];
    const out: Violation[] = blocking.tooSmall.map((limit) => {
      const smallest = smallestFor(blocking.types, limit.name, catalog);
      const gpu = GPU_RESOURCES.includes(limit.name);
      const what =
        limit.name === "nodes"
          ? "less than one node"
          : gpu
            ? `but every instance type this NodePool's requirements allow has at least ${describeCapacity(smallest, limit.name, catalog)} (smallest: ${smallest.name})`
            : `but the smallest instance type this NodePool's requirements allow, ${smallest.name}, has ${describeCapacity(smallest, limit.name, catalog)}`;
      return {
        path: [...LIMITS, limit.name],
        message: `limits.${limit.name} is ${describeLimit(limit)}, ${what}, so Karpenter drops every instance type and this NodePool can never launch a node.`,
        hint:
          slipHint(limit) ??
          `raise limits.${limit.name} to at least ${formatQuantity(capacity(smallest, limit.name, catalog) ?? 1)}, or allow smaller instance types`,
      };
    });
    if (blocking.together) {
      const positive = limitList(target).filter((l) => KNOWN_RESOURCES.has(l.name) && l.quantity.sign() > 0);
      out.push({
        path: LIMITS,
        message: `no instance type this NodePool's requirements allow fits within all of its limits at once (${positive.map((l) => `${l.name}: ${l.raw}`).join(", ")}), so Karpenter drops every instance type and this NodePool can never launch a node.`,
        hint: "raise the limits, or allow instance types whose shape fits them",
      });
    }
    return out;
  },
});

export const zero = defineRule({
  id: "limits.zero",
  family: "limits",
  title: "A limit of 0 stops the NodePool from launching nodes",
  docs: `A limit of \`0\` on \`cpu\`, \`memory\` or \`nodes\` (or on a GPU resource every allowed type has) leaves no
instance type, so Karpenter launches nothing for the pool; existing nodes stay. That is a common way to pause a
pool on purpose — during an incident, or to drain a pool into another — so it is only a warning, in both presets;
when it is not on purpose, pods that only this pool could serve stay Pending.

A zero GPU limit on a pool that also allows types without the GPU (\`nvidia.com/gpu: 0\` on a general-purpose pool)
is a valid way to keep GPU types out, and is not reported.

Fix: when the pause is over, restore the limit.`,
  kinds,
  view: "raw",
  fields: [
    ["object", "spec", "limits"],
    ["object", "spec", "template", "spec", "requirements"],
    ["object", "spec", "template", "metadata", "labels"],
    ["validation"],
  ],
  enforcement: { baseline: "warn", strict: "warn" },
  check(target, { catalog }) {
    const blocking = blockingLimits(target, catalog);
    if (!blocking) return [];
    return blocking.zero.map((limit) => ({
      path: [...LIMITS, limit.name],
      message: `limits.${limit.name} is ${limit.raw}, so Karpenter launches no node for this NodePool and pods only it could serve stay Pending (fine if the pool is paused on purpose).`,
      hint: `restore limits.${limit.name} when the pool should launch nodes again`,
    }));
  },
});

export const unitMix = defineRule({
  id: "limits.unit-mix",
  family: "limits",
  title: "Limits use units that fit the resource",
  docs: `Quantities accept every suffix for every resource, so a slip goes unnoticed:

- a binary memory suffix on a count — \`cpu: 100Gi\` is 107,374,182,400 vCPUs, so the limit never binds;
- a memory limit below one mebibyte without a suffix — \`memory: 1000\` is 1,000 bytes, not 1,000 GiB;
- a sub-byte suffix on memory — \`memory: 512m\` is 0.512 bytes (\`m\` is milli, not mebi).

Decimal suffixes on memory (\`64G\` instead of \`64Gi\`, about 7% less) are valid and not reported. When the slip
makes the limit too small for any instance type, \`limits.unreachable\` denies it (with the same explanation) and
this rule stays silent.

Fix: write the unit the resource is counted in.`,
  kinds,
  view: "raw",
  fields: [
    ["object", "spec", "limits"],
    ["object", "spec", "template", "spec", "requirements"],
    ["object", "spec", "template", "metadata", "labels"],
    ["validation"],
  ],
  enforcement: { baseline: "warn", strict: "warn" },
  check(target, { catalog }) {
    const blocking = blockingLimits(target, catalog);
    const reported = new Set([...(blocking?.tooSmall ?? []), ...(blocking?.zero ?? [])].map((l) => l.name));
    return limitList(target).flatMap((limit) => {
      const slip = reported.has(limit.name) ? undefined : unitSlip(limit);
      if (slip === undefined || !slip.suspicious) return [];
      return [
        {
          path: [...LIMITS, limit.name],
          message: `limits.${limit.name} is probably not the amount meant: ${slip.reason}.`,
          hint: `did you mean ${slip.meant}?`,
        },
      ];
    });
  },
});

/** The most `name` a pool can use: its limit, or for a static pool its node count times its largest type. */
function poolBound(
  pool: PolicyTarget,
  name: string,
  catalog: InstanceTypeCatalog,
): { quantity: Quantity; note?: string } | "unbounded" | undefined {
  const limit = limitList(pool).find((l) => l.name === name);
  if (!isStatic(pool)) {
    if (limit) return { quantity: limit.quantity };
    return limitsOf(pool)[name] === undefined ? "unbounded" : undefined;
  }
  const replicas = spec(pool).replicas;
  if (typeof replicas !== "number" || !Number.isInteger(replicas) || replicas < 0) return undefined;
  const nodesLimit = limitList(pool).find((l) => l.name === "nodes");
  const nodes =
    nodesLimit && compareQuantities(nodesLimit.quantity, replicas) < 0 ? nodesLimit.quantity : parseQuantity(replicas);
  if (name === "nodes") return { quantity: nodes, note: "static" };
  const types = poolTypes(pool, catalog)?.types ?? [];
  if (types.length === 0 || !KNOWN_RESOURCES.has(name)) return undefined;
  let largest = parseQuantity(0);
  for (const type of types) {
    const cap = capacity(type, name, catalog) ?? parseQuantity(0);
    if (compareQuantities(cap, largest) > 0) largest = cap;
  }
  return { quantity: new Quantity(largest.nanos * nodes.value(), largest.format), note: "static" };
}

function capsOf(params: Record<string, string | number>): { name: string; raw: string; quantity: Quantity }[] {
  return Object.entries(params).flatMap(([name, raw]) => {
    const quantity = unlessInvalid(() => parseQuantity(raw));
    return quantity ? [{ name, raw: String(raw), quantity }] : [];
  });
}

/** A quantity for messages: memory in its own units, counts as plain numbers ("1000", not "1k"). */
function amount(name: string, q: Quantity): string {
  if (name === "memory" || q.format === "BinarySI") return formatQuantity(q);
  const n = q.toNumber();
  return Number.isInteger(n) ? String(n) : formatQuantity(q);
}

const nounOf = (name: string) => (name === "nodes" ? "node count" : name === "cpu" ? "CPU" : name);

const escapePointer = (s: string) => s.replaceAll("~", "~0").replaceAll("/", "~1");

export const maxPerPool = defineRule<Record<string, string | number>>({
  id: "limits.max-per-pool",
  family: "limits",
  title: "Each NodePool's limits stay within the organisation's maximum",
  docs: `A platform team often caps what one NodePool may grow to (one team's pool may not take the whole account's
vCPU quota). Parameters: the maximum per resource, as a resource list — \`{cpu: 1000, memory: 4000Gi, nodes: 100}\`,
any resource name (\`nvidia.com/gpu: 16\`). None by default, so the rule checks nothing until a policy sets one.

Reported when the pool's limit for a capped resource is above the maximum, or when the pool has no limit for it
(unbounded). For static NodePools (\`spec.replicas\`), only \`nodes\` is judged: the smaller of \`limits.nodes\` and
\`replicas\`.

The patch sets the limit to the maximum. Limits are not part of the template hash: changing them drifts no node,
and lowering them removes none (the pool stops growing until it is below the limit).`,
  kinds,
  view: "raw",
  fields: [
    ["object", "spec", "limits"],
    ["object", "spec", "replicas"],
    ["object", "spec", "template", "spec", "requirements"],
    ["object", "spec", "template", "metadata", "labels"],
    ["object", "spec", "template", "spec", "taints"],
    ["validation"],
    ["written", "spec", "limits"],
  ],
  enforcement: { baseline: "deny", strict: "deny" },
  params: CAPS_PARAMS,
  check(target, { params, catalog }) {
    const caps = capsOf(params);
    const out: Violation[] = [];
    const missing = Object.fromEntries(
      caps
        .filter((c) => poolBound(target, c.name, catalog) === "unbounded")
        .map((c) => [c.name, paramValue(params, c.name)]),
    );
    for (const cap of caps) {
      if (isStatic(target) && cap.name !== "nodes") continue;
      const bound = poolBound(target, cap.name, catalog);
      if (bound === undefined) continue;
      if (bound === "unbounded") {
        out.push({
          path: [...LIMITS, cap.name],
          message: `this NodePool has no ${cap.name} limit, so its ${nounOf(cap.name)} is unbounded, above the maximum of ${cap.raw} per NodePool.`,
          hint: `set spec.limits.${cap.name} to ${cap.raw} or less`,
          ...capPatch(target, cap.name, paramValue(params, cap.name), missing),
        });
        continue;
      }
      if (compareQuantities(bound.quantity, cap.quantity) <= 0) continue;
      const what =
        bound.note === "static"
          ? `can have ${amount("nodes", bound.quantity)} nodes (replicas and limits.nodes)`
          : `has limits.${cap.name} ${amount(cap.name, bound.quantity)}`;
      out.push({
        path: [...LIMITS, cap.name],
        message: `this NodePool ${what}, above the maximum of ${cap.raw} per NodePool, so it can grow beyond what one pool is allowed.`,
        hint: `lower spec.limits.${cap.name} to ${cap.raw} or less${bound.note === "static" ? " (or lower replicas)" : ""}`,
        ...(bound.note === "static" ? {} : capPatch(target, cap.name, paramValue(params, cap.name), missing)),
      });
    }
    return out;
  },
});

function paramValue(params: Record<string, string | number>, name: string): string | number {
  return params[name] ?? 0;
}

// With no `limits` written, every finding's patch adds the same whole map (all missing caps), so applying several
// of them in a row is consistent.
function capPatch(
  target: PolicyTarget,
  name: string,
  value: string | number,
  missing: Record<string, string | number>,
): { patch?: Operation[] } {
  const written = isRecord(target.written.spec) ? target.written.spec : undefined;
  if (!written) return {};
  if (!isRecord(written.limits))
    return { patch: [{ op: "add", path: "/spec/limits", value: { ...missing, [name]: value } }] };
  const op = written.limits[name] === undefined ? "add" : "replace";
  return { patch: [{ op, path: `/spec/limits/${escapePointer(name)}`, value }] };
}

const scopePools = perScope((scope) => new Set<PolicyTarget>(scope.nodePools));

export const clusterTotal = defineRule<Record<string, string | number>>({
  id: "limits.cluster-total",
  family: "limits",
  title: "The NodePools' limits add up to no more than the cluster's total",
  docs: `Karpenter has no cluster-wide limit (kubernetes-sigs/karpenter#745): each NodePool is limited on its own, so the
cluster can grow to the sum of all pools' limits — more than the account's EC2 quota, the VPC's IP addresses, or
the budget allow. This rule adds up the limits of every NodePool in scope (the bundle being checked, or the
cluster's NodePools in the webhook) and compares the sums with the parameters, a resource list of cluster totals
(\`{cpu: 5000, memory: 20000Gi, nodes: 500}\`; none by default, so the rule checks nothing until a policy sets one).

A pool without a limit for a capped resource makes the sum unbounded. A static NodePool counts \`replicas\` nodes
(or \`limits.nodes\`, if smaller), each of the largest instance type it allows.

Reported once, on the first NodePool checked (in the webhook, the NodePool being admitted), as a warning in both
presets: the sum is a property of all pools together, not of the one that happens to tip it. In a bundle that
holds only some of the cluster's pools, only those are added up.`,
  kinds,
  view: "raw",
  enforcement: { baseline: "warn", strict: "warn" },
  reads: ["scope"],
  params: CAPS_PARAMS,
  // Only the first pool's answer reads the other pools (it is judged again every time); the others answer nothing.
  scopeKey(target, scope, { params }) {
    if (capsOf(params).length === 0) return "";
    return scope.nodePools[0] !== target && scopePools(scope).has(target) ? "" : undefined;
  },
  check(target, { params, scope, catalog }) {
    const pools = scope.nodePools.includes(target) ? scope.nodePools : [target, ...scope.nodePools];
    if (pools[0] !== target) return [];
    const out: Violation[] = [];
    for (const cap of capsOf(params)) {
      let total = parseQuantity(0);
      const unbounded: string[] = [];
      const parts: string[] = [];
      for (const pool of pools) {
        const bound = poolBound(pool, cap.name, catalog);
        if (bound === "unbounded") unbounded.push(pool.name);
        else if (bound !== undefined) {
          total = addQuantities(total, bound.quantity);
          parts.push(`${pool.name}: ${amount(cap.name, bound.quantity)}`);
        }
      }
      const path = limitsOf(target)[cap.name] === undefined ? LIMITS : [...LIMITS, cap.name];
      if (unbounded.length > 0) {
        out.push({
          path,
          message: `NodePool${unbounded.length === 1 ? "" : "s"} ${examples(unbounded, 5)} set${unbounded.length === 1 ? "s" : ""} no ${cap.name} limit, so the total ${nounOf(cap.name)} of the NodePools in scope is unbounded, above the cluster total of ${cap.raw}.`,
          hint: `give every NodePool a ${cap.name} limit, so that together they stay within ${cap.raw}`,
        });
      } else if (compareQuantities(total, cap.quantity) > 0) {
        out.push({
          path,
          message: `the ${cap.name} limits of the NodePools in scope add up to ${amount(cap.name, total)} (${examples(parts, 5)}), above the cluster total of ${cap.raw}, so together they can launch more than the cluster is meant to hold.`,
          hint: `lower some NodePools' ${cap.name} limits so that together they stay within ${cap.raw}`,
        });
      }
    }
    return out;
  },
});

const usd = (n: number) => `$${n.toLocaleString("en-US", { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;

interface CostBound {
  readonly resource: string;
  readonly limit: string;
  readonly cost: number;
  readonly type: InstanceType;
  readonly unitPrice: number;
  readonly unit: string;
}

/** The worst-case hourly on-demand cost of the pool filled to each of its limits; the smallest is the bound. */
function costBounds(target: PolicyTarget, types: readonly InstanceType[], catalog: InstanceTypeCatalog): CostBound[] {
  const worst = (resource: string, total: number, limit: string, unit: string, per: (t: InstanceType) => number) => {
    let best: CostBound | undefined;
    for (const type of types) {
      const size = per(type);
      if (!(size > 0)) return undefined; // a type this limit does not count is not bounded by it
      const unitPrice = type.onDemandUsd / size;
      if (!best || unitPrice > best.unitPrice)
        best = { resource, limit, cost: unitPrice * total, type, unitPrice, unit };
    }
    return best;
  };
  const out: (CostBound | undefined)[] = [];
  for (const resource of ["cpu", "memory", "nodes", ...GPU_RESOURCES]) {
    const bound = poolBound(target, resource, catalog);
    if (bound === undefined || bound === "unbounded") continue;
    if (bound.note === "static" && resource !== "nodes") continue;
    const size = bound.quantity.toNumber();
    const limit = amount(resource, bound.quantity);
    if (resource === "cpu") out.push(worst(resource, size, limit, "vCPU", (t) => t.vcpu));
    else if (resource === "memory") out.push(worst(resource, size / MIB, limit, "MiB", (t) => karpenterMemoryMiB(t)));
    else if (resource === "nodes") out.push(worst(resource, Math.floor(size), limit, "node", () => 1));
    else out.push(worst(resource, size, limit, resource, (t) => capacity(t, resource, catalog)?.toNumber() ?? 0));
  }
  return out.filter((b): b is CostBound => b !== undefined).sort((a, b) => a.cost - b.cost);
}

export const maxHourlyCost = defineRule<{ maxHourlyCost: number | null }>({
  id: "limits.max-hourly-cost",
  family: "limits",
  title: "The NodePool filled to its limits stays within an hourly budget",
  docs: `Karpenter has no cost limit (kubernetes-sigs/karpenter#1215). This rule turns the pool's limits into the most it
can cost per hour, and compares that with \`maxHourlyCost\` (USD; none by default, so the rule checks nothing until
a policy sets it).

The worst case, defined per limit: the limit filled entirely with the allowed instance type that costs the most per
unit of that resource. For \`cpu\`, the limit's vCPUs times the highest on-demand price per vCPU-hour among the types
the requirements allow; for \`memory\`, the same per MiB of capacity; for \`nodes\` (or a static pool's
\`replicas\`), the node count times the most expensive type; for a GPU limit, per GPU, when every allowed type has
one. Each is an upper bound, so the pool's worst case is the smallest of them. A pool with none of these limits is
unbounded and always reported.

Prices are the catalog's us-east-1 Linux on-demand prices; spot and reserved capacity cost less, other regions
differ, EBS and data transfer are not counted, and Karpenter may overrun a limit by the nodes already in flight.
The bound is what an unlucky mix of pods could make the pool cost, not a forecast.

Hardening advice: a warning in baseline, a denial in strict. Fix: lower the limits, or exclude the types that
are expensive per vCPU (the finding names the one that sets the bound).`,
  kinds,
  view: "raw",
  fields: [
    ["object", "spec", "limits"],
    ["object", "spec", "replicas"],
    ["object", "spec", "template", "spec", "requirements"],
    ["object", "spec", "template", "metadata", "labels"],
    ["object", "spec", "template", "spec", "taints"],
    ["validation"],
  ],
  enforcement: { baseline: "warn", strict: "deny" },
  params: {
    schema: { properties: { maxHourlyCost: { type: ["number", "null"], exclusiveMinimum: 0 } } },
    defaults: { maxHourlyCost: null },
  },
  check(target, { params, catalog }) {
    const max = params.maxHourlyCost;
    if (max === null || hasErrorAt(target, LIMITS)) return [];
    const pool = poolTypes(target, catalog);
    if (!pool || pool.types.length === 0) return [];
    const [bound] = costBounds(target, pool.types, catalog);
    if (!bound) {
      return [
        {
          path: LIMITS,
          message: `this NodePool has no cpu, memory or nodes limit, so nothing bounds its hourly cost, above the maximum of ${usd(max)} an hour.`,
          hint: "set spec.limits.cpu (and memory) so that the pool filled to its limits stays within the budget",
        },
      ];
    }
    if (bound.cost <= max) return [];
    const fill = bound.resource === "nodes" ? `${bound.limit} nodes` : `limits.${bound.resource} (${bound.limit})`;
    return [
      {
        path: [...LIMITS, bound.resource],
        message: `filled to ${fill} with the allowed instance type that costs the most per ${bound.unit} (${bound.type.name}, ${usd(bound.type.onDemandUsd)} an hour on demand), this NodePool can cost up to ${usd(bound.cost)} an hour, above the maximum of ${usd(max)}.`,
        hint: `lower spec.limits.${bound.resource}, or exclude instance types as expensive per ${bound.unit} as ${bound.type.name}`,
      },
    ];
  },
});

// poolkeeper's own cap (controller/provisioning/hourly-cost-cap.ts reads it with the same pattern).
const ANNOTATION_MAX_HOURLY_COST = "poolkeeper.dev/max-hourly-cost";
const USD_PER_HOUR = /^\s*\d+(\.\d+)?\s*$/;

function hourlyCostAnnotationOf(target: PolicyTarget): unknown {
  const metadata = target.object.metadata;
  const annotations = isRecord(metadata) && isRecord(metadata.annotations) ? metadata.annotations : {};
  return annotations[ANNOTATION_MAX_HOURLY_COST];
}

const HOURLY_COST_ANNOTATION_PATH: FieldPath = ["metadata", "annotations", ANNOTATION_MAX_HOURLY_COST];

export const hourlyCostAnnotation = defineRule({
  id: "limits.hourly-cost-annotation",
  family: "limits",
  title: "The poolkeeper.dev/max-hourly-cost annotation is a number of dollars",
  docs: `\`poolkeeper run\` keeps a NodePool's total cost per hour under the \`poolkeeper.dev/max-hourly-cost\`
annotation (USD, e.g. \`"12.50"\`) like a limit: each node counts at the price of the offering it launched into, and
an instance type that could take the pool over the cap is not launched (kubernetes-sigs/karpenter#1215). A value
that is not a plain decimal number (\`"$12"\`, \`"12,50"\`, \`"ten"\`) makes \`poolkeeper run\` skip the whole
NodePool, so it provisions nothing. The admission webhook judges a change to the annotation like a change to the
spec, so a bad value is stopped there too.

Fix: write the cap as a plain decimal number of USD per hour.`,
  kinds,
  view: "raw",
  fields: [["object", "metadata", "annotations"]],
  enforcement: { baseline: "deny", strict: "deny" },
  check(target) {
    const value = hourlyCostAnnotationOf(target);
    if (value === undefined || (typeof value === "string" && USD_PER_HOUR.test(value))) return [];
    return [
      {
        path: HOURLY_COST_ANNOTATION_PATH,
        message: `${JSON.stringify(value)} is not a number of USD per hour, so poolkeeper run skips this NodePool and provisions nothing for it.`,
        hint: 'write the cap as a plain decimal number, e.g. "12.50"',
      },
    ];
  },
});

export const hourlyCostAnnotationScope = defineRule({
  id: "limits.hourly-cost-annotation-scope",
  family: "limits",
  title: "The poolkeeper.dev/max-hourly-cost annotation does nothing beside Karpenter",
  docs: `Karpenter does not know the \`poolkeeper.dev/max-hourly-cost\` annotation: only \`poolkeeper run\` (poolkeeper
as the autoscaler) keeps the pool under it. Beside Karpenter (poolkeeper as the policy gate) it caps nothing; this
is said wherever it is set, so a budget is not believed to hold where it does not.

Fix: none needed under \`poolkeeper run\`. Where Karpenter provisions, bound the pool's cost with \`spec.limits\`
(see \`limits.max-hourly-cost\`), or turn this rule off in the policy.`,
  kinds,
  view: "raw",
  fields: [["object", "metadata", "annotations"]],
  enforcement: { baseline: "warn", strict: "warn" },
  check(target) {
    const value = hourlyCostAnnotationOf(target);
    if (typeof value !== "string" || !USD_PER_HOUR.test(value)) return [];
    return [
      {
        path: HOURLY_COST_ANNOTATION_PATH,
        message: `caps the pool at $${Number(value).toFixed(2)} an hour only when poolkeeper run provisions; Karpenter ignores the annotation, so beside Karpenter it does nothing.`,
        hint: "where Karpenter provisions, bound the pool's cost with spec.limits (limits.max-hourly-cost)",
      },
    ];
  },
});

export const limitsRules = [
  required,
  maxPerPool,
  clusterTotal,
  unreachable,
  zero,
  unitMix,
  maxHourlyCost,
  hourlyCostAnnotation,
  hourlyCostAnnotationScope,
];
