// The instance-types family: a NodePool's requirements (and template labels) against the instance-type catalog —
// whether any type can launch at all, whether the types it allows are ones the organisation permits, and whether
// minValues can be met. The limits family reuses `poolTypes` to compare limits with the allowed types.
import type { Operation } from "fast-json-patch";
import { isRecord, unlessInvalid, type FieldPath } from "../../api/index.ts";
import { normalizeRequirementKey } from "../../scheduling/index.ts";
import {
  CAPACITY_TYPES,
  LABEL_ARCH,
  LABEL_CAPACITY_TYPE,
  LABEL_INSTANCE_ACCELERATOR_MANUFACTURER,
  LABEL_INSTANCE_ACCELERATOR_NAME,
  LABEL_INSTANCE_CAPABILITY_FLEX,
  LABEL_INSTANCE_CATEGORY,
  LABEL_INSTANCE_CPU_MANUFACTURER,
  LABEL_INSTANCE_FAMILY,
  LABEL_INSTANCE_GPU_MANUFACTURER,
  LABEL_INSTANCE_GPU_NAME,
  LABEL_INSTANCE_SIZE,
  LABEL_INSTANCE_TYPE,
  type CatalogInstanceType as InstanceType,
  type InstanceTypeCatalog,
  type NodeSelectorRequirementLike,
} from "../../cloudprovider/index.ts";
import { ClosestNameIndex } from "../../api/index.ts";
import { nameMatches } from "../object-selector.ts";
import { defineRule, type Violation } from "../rule.ts";
import type { PolicyTarget } from "../target.ts";

const kinds = ["NodePool"] as const;
const TEMPLATE = ["spec", "template"] as const;
const REQUIREMENTS: FieldPath = [...TEMPLATE, "spec", "requirements"];
const LABELS: FieldPath = [...TEMPLATE, "metadata", "labels"];

/** One requirement as Karpenter layers them for a NodePool: its requirements, then its template labels as `In`. */
export interface PoolRequirement {
  readonly requirement: NodeSelectorRequirementLike;
  /** Where it is in the judged object. */
  readonly path: FieldPath;
  /** Position in `spec.template.spec.requirements`; undefined for a template label. */
  readonly index: number | undefined;
}

function startsWith(path: readonly (string | number)[], prefix: readonly (string | number)[]): boolean {
  return prefix.every((segment, i) => path[i] === segment);
}

/**
 * The pool's requirements, or undefined when the API server would reject them (schema or CEL errors under the
 * requirements or template labels): schema.* reports those, and judging them here would only add noise.
 */
export function poolRequirements(target: PolicyTarget): PoolRequirement[] | undefined {
  if (target.validation.some((e) => startsWith(e.path, REQUIREMENTS) || startsWith(e.path, LABELS))) return undefined;
  const template = isRecord(target.object.spec) ? target.object.spec.template : undefined;
  if (!isRecord(template)) return undefined;
  const spec = isRecord(template.spec) ? template.spec : {};
  const out: PoolRequirement[] = [];
  const list = Array.isArray(spec.requirements) ? spec.requirements : [];
  list.forEach((entry: unknown, index) => {
    if (!isRecord(entry) || typeof entry.key !== "string" || typeof entry.operator !== "string") return;
    const values = Array.isArray(entry.values) ? entry.values.filter((v) => typeof v === "string") : [];
    const requirement: NodeSelectorRequirementLike = {
      key: entry.key,
      operator: entry.operator,
      values,
      ...(typeof entry.minValues === "number" ? { minValues: entry.minValues } : {}),
    };
    out.push({ requirement, path: [...REQUIREMENTS, index], index });
  });
  const labels = isRecord(template.metadata) && isRecord(template.metadata.labels) ? template.metadata.labels : {};
  for (const [key, value] of Object.entries(labels)) {
    if (typeof value !== "string") continue;
    out.push({ requirement: { key, operator: "In", values: [value] }, path: [...LABELS, key], index: undefined });
  }
  return out;
}

/** The catalog types a pool's requirements allow; undefined when the requirements cannot be judged. */
type PoolTypes = { requirements: PoolRequirement[]; types: InstanceType[] };

// Most rules of this family and of limits ask for the same pool's types: computed once per target and catalog.
const poolTypesCache = new WeakMap<PolicyTarget, { catalog: InstanceTypeCatalog; value: PoolTypes | undefined }>();

export function poolTypes(target: PolicyTarget, catalog: InstanceTypeCatalog): PoolTypes | undefined {
  const cached = poolTypesCache.get(target);
  if (cached?.catalog === catalog) return cached.value;
  const value = computePoolTypes(target, catalog);
  poolTypesCache.set(target, { catalog, value });
  return value;
}

function computePoolTypes(target: PolicyTarget, catalog: InstanceTypeCatalog): PoolTypes | undefined {
  const requirements = poolRequirements(target);
  if (!requirements) return undefined;
  // An invalid requirement is schema.*'s finding.
  const types = unlessInvalid(() => catalog.matching(requirements.map((r) => r.requirement)));
  return types && { requirements, types };
}

/** `a, b, c, … 42 in all` for messages. */
export function examples(names: readonly string[], count = 3): string {
  const shown = names.slice(0, count).join(", ");
  return names.length > count ? `${shown}, … ${names.length} in all` : shown;
}

export function describeRequirement(r: NodeSelectorRequirementLike): string {
  const values = r.values ?? [];
  if (r.operator === "Exists" || r.operator === "DoesNotExist") return `${r.key} ${r.operator}`;
  if (r.operator === "In" || r.operator === "NotIn") return `${r.key} ${r.operator} [${values.join(", ")}]`;
  return `${r.key} ${r.operator} ${values.join(", ")}`;
}

// Keys whose values name things: a value no catalog type has is a typo or a type newer than the catalog. Numeric
// keys (cpu, memory, generation…) are left out: a count no type has yet is not a sign of a typo.
const NAMED_KEYS: Readonly<Record<string, string>> = {
  [LABEL_INSTANCE_TYPE]: "instance type",
  [LABEL_INSTANCE_FAMILY]: "instance family",
  [LABEL_INSTANCE_CATEGORY]: "instance category",
  [LABEL_INSTANCE_SIZE]: "instance size",
  [LABEL_INSTANCE_CPU_MANUFACTURER]: "CPU manufacturer",
  [LABEL_INSTANCE_GPU_NAME]: "GPU name",
  [LABEL_INSTANCE_GPU_MANUFACTURER]: "GPU manufacturer",
  [LABEL_INSTANCE_ACCELERATOR_NAME]: "accelerator name",
  [LABEL_INSTANCE_ACCELERATOR_MANUFACTURER]: "accelerator manufacturer",
  [LABEL_ARCH]: "architecture",
  [LABEL_INSTANCE_CAPABILITY_FLEX]: "flex capability value",
};
// Of those, the keys whose vocabulary is closed (Karpenter sets only these values), so an unknown value is certain.
const CLOSED_KEYS = new Set([LABEL_ARCH, LABEL_INSTANCE_CAPABILITY_FLEX]);

/** The values a catalog's types have for one key: for lookups, sorted for messages, and indexed for suggestions. */
interface KnownValues {
  readonly set: ReadonlySet<string>;
  readonly sorted: readonly string[];
  readonly suggestions: ClosestNameIndex;
}

// One scan of the catalog per key, whatever the number of values judged against it.
const knownValuesCache = new WeakMap<InstanceTypeCatalog, Map<string, KnownValues>>();

function knownValues(catalog: InstanceTypeCatalog, key: string): KnownValues {
  let byKey = knownValuesCache.get(catalog);
  if (!byKey) {
    byKey = new Map();
    knownValuesCache.set(catalog, byKey);
  }
  let known = byKey.get(key);
  if (!known) {
    const set = new Set<string>();
    for (const type of catalog.types) {
      const value = catalog.labelsOf(type)[key];
      if (value !== undefined) set.add(value);
    }
    known = { set, sorted: [...set].sort(), suggestions: new ClosestNameIndex([...set]) };
    byKey.set(key, known);
  }
  return known;
}

// A "did you mean" for this many unknown values of an object, the first ones: enough for the typos of a real
// manifest, and a bounded cost for a list of thousands.
const SUGGESTED_VALUES = 10;

interface UnknownValue {
  readonly at: PoolRequirement;
  readonly key: string;
  readonly value: string;
  readonly path: FieldPath;
}

function unknownValues(requirements: readonly PoolRequirement[], catalog: InstanceTypeCatalog): UnknownValue[] {
  const out: UnknownValue[] = [];
  for (const at of requirements) {
    const { operator, values = [] } = at.requirement;
    const key = normalizeRequirementKey(at.requirement.key);
    if ((operator !== "In" && operator !== "NotIn") || NAMED_KEYS[key] === undefined) continue;
    const known = knownValues(catalog, key).set;
    values.forEach((value, j) => {
      if (known.has(value)) return;
      out.push({ at, key, value, path: at.index === undefined ? at.path : [...at.path, "values", j] });
    });
  }
  return out;
}

export const unknownValue = defineRule({
  id: "instance-types.unknown-value",
  family: "instance-types",
  title: "Requirement values name instance types, families and sizes that exist",
  docs: `A requirement value that no instance type has — \`karpenter.k8s.aws/instance-family In [m5x]\`,
\`node.kubernetes.io/instance-type In [m5.lrage]\`, \`kubernetes.io/arch In [x86_64]\` (Karpenter says \`amd64\`) —
silently does nothing useful: in an \`In\` list it matches no type, so the pool has fewer types than its author
thinks (or none at all); in a \`NotIn\` list it excludes nothing, so the type meant to be excluded is still launched.
Neither the CRD nor Karpenter rejects it.

Checked for the keys whose values are names: instance type, family, category, size, CPU and GPU manufacturer, GPU
and accelerator name, architecture and the flex capability. The values known are those of poolkeeper's instance-type
catalog (\`data/ec2-instance-types.json\`, or the file given with \`--catalog\`); a type newer than the catalog is
reported too, which is why this is a warning: update the catalog if the value is real.

When an unknown value is the reason nothing matches, this rule reports it instead of
\`instance-types.none-match\`, which denies only when it is certain.

Fix: correct the value (the finding suggests a close one).`,
  kinds,
  view: "raw",
  fields: [
    ["object", "spec", "template", "spec", "requirements"],
    ["object", "spec", "template", "metadata", "labels"],
    ["validation"],
  ],
  enforcement: { baseline: "warn", strict: "warn" },
  check(target, { catalog }) {
    const pool = poolTypes(target, catalog);
    if (!pool) return [];
    const nothing = pool.types.length === 0;
    return unknownValues(pool.requirements, catalog).map(({ at, key, value, path }, n) => {
      const noun = NAMED_KEYS[key] ?? "value";
      const known = knownValues(catalog, key);
      const suggestion = n < SUGGESTED_VALUES ? known.suggestions.closest(value) : undefined;
      const closed = CLOSED_KEYS.has(key);
      const why = closed
        ? ` (Karpenter uses ${known.sorted.join(", ")})`
        : " (a typo, or a type newer than poolkeeper's catalog)";
      const effect =
        at.requirement.operator === "NotIn"
          ? "so this NotIn excludes nothing"
          : `so it matches no instance type${nothing ? ", and as nothing else satisfies the requirements, this NodePool cannot launch a node" : ""}`;
      return {
        path,
        message: `${key} value "${value}" is not a known ${noun}${why}, ${effect}.`,
        hint: suggestion
          ? `did you mean "${suggestion}"?`
          : closed
            ? `use one of ${known.sorted.join(", ")}`
            : "correct the value, or update the instance-type catalog (--catalog) if it is a new type",
      };
    });
  },
});

export const noneMatch = defineRule({
  id: "instance-types.none-match",
  family: "instance-types",
  title: "The requirements allow at least one instance type",
  docs: `Karpenter launches a node only with an instance type whose labels satisfy every requirement of the NodePool
(and its template labels, which act as \`In\` requirements). When the requirements contradict each other —
\`instance-category In [p]\` with \`arch In [arm64]\`, \`instance-cpu Lt 2\` with \`instance-size In [xlarge]\`,
\`kubernetes.io/os In [windows]\` with Graviton types — no type qualifies: the NodePool is accepted, but every pod
that only it could serve stays Pending, with \`incompatible requirements\` in Karpenter's logs.

The finding names the requirement that eliminated the last candidates, reading the requirements in order, and how
many types the requirements before it still allowed.

Judged against poolkeeper's instance-type catalog (Karpenter's own generated instance-types reference). When a
requirement names a value the catalog does not know (a type newer than the catalog, or a typo), the empty result
is not certain, and \`instance-types.unknown-value\` reports it instead.

Fix: remove or widen the contradicting requirement.`,
  kinds,
  view: "raw",
  fields: [
    ["object", "spec", "template", "spec", "requirements"],
    ["object", "spec", "template", "metadata", "labels"],
    ["validation"],
  ],
  enforcement: { baseline: "deny", strict: "deny" },
  check(target, { catalog }) {
    const pool = poolTypes(target, catalog);
    if (!pool || pool.types.length > 0) return [];
    // A value the catalog does not know might be a real, newer type: not certain.
    if (unknownValues(pool.requirements, catalog).some((u) => !CLOSED_KEYS.has(u.key))) return [];
    const all = pool.requirements.map((r) => r.requirement);
    // The first requirement after which nothing is left. Adding a requirement only ever narrows the types, so a
    // binary search over the prefixes finds it with a handful of catalog queries rather than one per requirement.
    let low = 0;
    let high = all.length - 1;
    while (low < high) {
      const mid = (low + high) >>> 1;
      if (catalog.matching(all.slice(0, mid + 1)).length === 0) high = mid;
      else low = mid + 1;
    }
    const at = pool.requirements[low];
    if (!at) return [];
    const before = low === 0 ? [] : catalog.matching(all.slice(0, low));
    const prior =
      low === 0
        ? "no instance type in the catalog satisfies it"
        : `the requirements before it allow ${before.length} instance type${before.length === 1 ? "" : "s"} (${examples(before.map((t) => t.name))}) and none of them satisfies it`;
    return [
      {
        path: at.path,
        message: `${at.index === undefined ? "template label" : "requirement"} ${describeRequirement(at.requirement)} leaves no instance type: ${prior}, so Karpenter can never launch a node for this NodePool.`,
        hint: "remove or widen this requirement, or the ones it contradicts",
      },
    ];
  },
});

interface Dimension {
  allow?: string[];
  deny?: string[];
}

export interface AllowedParams {
  families?: Dimension;
  sizes?: Dimension;
  categories?: Dimension;
  architectures?: Dimension;
  capacityTypes?: Dimension;
}

const DIMENSIONS: readonly {
  param: keyof AllowedParams;
  noun: readonly [string, string];
  key: string;
  of?: (type: InstanceType) => string;
}[] = [
  {
    param: "families",
    noun: ["instance family", "instance families"],
    key: LABEL_INSTANCE_FAMILY,
    of: (t) => t.family,
  },
  { param: "sizes", noun: ["instance size", "instance sizes"], key: LABEL_INSTANCE_SIZE, of: (t) => t.size },
  {
    param: "categories",
    noun: ["instance category", "instance categories"],
    key: LABEL_INSTANCE_CATEGORY,
    of: (t) => t.category,
  },
  { param: "architectures", noun: ["architecture", "architectures"], key: LABEL_ARCH, of: (t) => t.arch },
  { param: "capacityTypes", noun: ["capacity type", "capacity types"], key: LABEL_CAPACITY_TYPE },
];

function permitted(dimension: Dimension, value: string): boolean {
  if (dimension.deny?.some((p) => nameMatches(p, value))) return false;
  return dimension.allow === undefined || dimension.allow.some((p) => nameMatches(p, value));
}

const LIST_PARAM = { type: "array", items: { type: "string", minLength: 1 } };
const DIMENSION_PARAM = {
  type: "object",
  additionalProperties: false,
  properties: { allow: LIST_PARAM, deny: LIST_PARAM },
};

export const allowed = defineRule<AllowedParams>({
  id: "instance-types.allowed",
  family: "instance-types",
  title: "The requirements allow only permitted instance families, sizes, categories, architectures and capacity types",
  docs: `Organisations often restrict what a NodePool may launch: no bare-metal sizes (\`metal\`, \`metal-24xl\`…: whole
hosts, billed as such), no previous-generation families, no GPU categories outside GPU pools, on-demand only for
production, a single architecture for images built for one. A NodePool allows every type its requirements do not
exclude — a pool with no \`instance-size\` requirement allows \`metal\`, one with no \`karpenter.sh/capacity-type\`
requirement allows \`spot\` (and \`reserved\`) — so the restriction must be written into each pool.

Parameters (all optional; with none the rule checks nothing): \`families\`, \`sizes\`, \`categories\`,
\`architectures\` and \`capacityTypes\`, each \`{allow: [...], deny: [...]}\` with \`*\` and \`?\` wildcards (e.g.
\`sizes: {deny: ["metal*"]}\`, \`capacityTypes: {allow: [on-demand]}\`). A value is permitted when it matches no
\`deny\` pattern and, if \`allow\` is given, some \`allow\` pattern. Families, sizes, categories and architectures are
read from the instance types the pool's requirements allow (the instance-type catalog); capacity types from the
\`karpenter.sh/capacity-type\` requirement.

The finding names the offending values with example types. Its patch adds a requirement that excludes them
(\`NotIn\` the denied values, or \`In\` the permitted ones the pool already allows); narrowing requirements drifts
existing nodes of the excluded types, which Karpenter then replaces.`,
  kinds,
  view: "raw",
  fields: [
    ["object", "spec", "template", "spec", "requirements"],
    ["object", "spec", "template", "metadata", "labels"],
    ["validation"],
    ["written", "spec", "template", "spec", "requirements"],
  ],
  enforcement: { baseline: "deny", strict: "deny" },
  params: {
    schema: {
      properties: {
        families: DIMENSION_PARAM,
        sizes: DIMENSION_PARAM,
        categories: DIMENSION_PARAM,
        architectures: DIMENSION_PARAM,
        capacityTypes: DIMENSION_PARAM,
      },
    },
    // Empty dimensions restrict nothing; listing them shows the parameters in the generated docs.
    defaults: { families: {}, sizes: {}, categories: {}, architectures: {}, capacityTypes: {} },
  },
  check(target, { params, catalog }) {
    const pool = poolTypes(target, catalog);
    if (!pool || pool.types.length === 0) return [];
    const requirements = pool.requirements.map((r) => r.requirement);
    const out: Violation[] = [];
    for (const { param, noun, key, of } of DIMENSIONS) {
      const dimension = params[param];
      if (!dimension || (dimension.allow === undefined && dimension.deny === undefined)) continue;
      // Capacity types are not a property of the catalog's types: every type is offered with each of them.
      const present = of
        ? [...new Set(pool.types.map(of))].sort()
        : CAPACITY_TYPES.filter(
            (ct) => catalog.matching([...requirements, { key, operator: "In", values: [ct] }]).length > 0,
          );
      const offending = present.filter((value) => !permitted(dimension, value));
      if (offending.length === 0) continue;
      const sample = of ? pool.types.filter((t) => offending.includes(of(t))).map((t) => t.name) : [];
      const existing = pool.requirements.find((r) => normalizeRequirementKey(r.requirement.key) === key);
      const keep = present.filter((value) => permitted(dimension, value));
      const fix =
        dimension.allow !== undefined ? { operator: "In", values: keep } : { operator: "NotIn", values: offending };
      out.push({
        path: existing?.path ?? REQUIREMENTS,
        message: `this NodePool's requirements allow ${noun[offending.length === 1 ? 0 : 1]} ${offending.join(", ")}${sample.length > 0 ? ` (${examples(sample)})` : ""}, which the policy does not permit, so Karpenter may launch such nodes.`,
        hint: `add the requirement ${describeRequirement({ key, ...fix })}; existing nodes of excluded types are replaced through drift`,
        ...patchFor(target, { key, ...fix }),
      });
    }
    return out;
  },
});

function patchFor(target: PolicyTarget, requirement: NodeSelectorRequirementLike): { patch?: Operation[] } {
  if ((requirement.values ?? []).length === 0) return {};
  const spec = isRecord(target.written.spec) ? target.written.spec : undefined;
  const template = spec && isRecord(spec.template) ? spec.template : undefined;
  const templateSpec = template && isRecord(template.spec) ? template.spec : undefined;
  if (!templateSpec || !Array.isArray(templateSpec.requirements)) return {};
  return { patch: [{ op: "add", path: "/spec/template/spec/requirements/-", value: { ...requirement } }] };
}

export const minValues = defineRule({
  id: "instance-types.min-values",
  family: "instance-types",
  title: "minValues can be met by the instance types the requirements allow",
  docs: `\`minValues\` on a requirement asks Karpenter to keep at least that many distinct values of the key among a
NodeClaim's instance-type options (\`instance-family\` with \`minValues: 5\`: at least five families, so spot capacity
can come from several pools). When the types the requirements allow offer fewer values than that — \`minValues: 5\`
on the family while another requirement leaves three families — no NodeClaim can satisfy it.

What Karpenter then does depends on its \`minValuesPolicy\` setting (\`MIN_VALUES_POLICY\`): with the default
\`Strict\`, it launches nothing for the pool and pods stay Pending (\`minValues requirement is not met\`); with
\`BestEffort\`, it relaxes minValues and launches anyway. poolkeeper cannot see the controller's setting, so this
warns in baseline and denies in strict.

Counted from the instance-type catalog, for keys it knows values of (family, category, size, instance type,
generation, cpu, memory, architecture, capacity type…; not zones or user labels). Karpenter also truncates a
NodeClaim's options to the 100 cheapest types before counting, which can fail minValues on a very broad pool even
when this check passes.

Fix: lower \`minValues\`, or widen the requirements that limit the key.`,
  kinds,
  view: "raw",
  fields: [
    ["object", "spec", "template", "spec", "requirements"],
    ["object", "spec", "template", "metadata", "labels"],
    ["validation"],
  ],
  enforcement: { baseline: "warn", strict: "deny" },
  check(target, { catalog }) {
    const pool = poolTypes(target, catalog);
    if (!pool || pool.types.length === 0) return [];
    const requirements = pool.requirements.map((r) => r.requirement);
    if (!requirements.some((r) => r.minValues !== undefined)) return [];
    const checks = unlessInvalid(() => catalog.minValuesShortfall(requirements, pool.types)) ?? [];
    return checks.flatMap((check) => {
      const at = pool.requirements[check.index];
      if (!at || check.shortfall === 0 || check.values === undefined) return [];
      const offered = check.values.length === 0 ? "none" : `only ${check.values.length} (${examples(check.values, 6)})`;
      return [
        {
          path: [...at.path, "minValues"],
          message: `minValues ${check.minValues} asks for ${check.minValues} distinct ${check.key} values, but the instance types this NodePool's requirements allow offer ${offered}, so with Karpenter's default minValuesPolicy (Strict) it can never launch a node for this pool.`,
          hint:
            check.values.length > 0
              ? `lower minValues to ${check.values.length} or less, or widen the requirements that limit ${check.key}`
              : `widen the requirements that limit ${check.key}, or remove minValues`,
        },
      ];
    });
  },
});

export const instanceTypeRules = [noneMatch, unknownValue, allowed, minValues];
