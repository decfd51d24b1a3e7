// The taints family: a NodePool's taints and node labels — which pods may land on its nodes, whether it poses as
// the system pool, and taints Karpenter rejects or owns.
import { isRecord, unlessInvalid, type FieldPath } from "../../api/index.ts";
import {
  DISRUPTED_NO_SCHEDULE_TAINT,
  UNREGISTERED_NO_EXECUTE_TAINT,
  duplicateTaints,
  type TaintInput,
} from "../../scheduling/index.ts";
import type { NodeSelectorRequirementLike } from "../../cloudprovider/index.ts";
import { nameMatches } from "../object-selector.ts";
import { defineRule, type Violation } from "../rule.ts";
import type { PolicyTarget } from "../target.ts";

type TaintList = "taints" | "startupTaints";

const TEMPLATE_SPEC: FieldPath = ["spec", "template", "spec"];

function templateSpec(target: PolicyTarget): Record<string, unknown> | undefined {
  const spec = target.object.spec;
  const template = isRecord(spec) ? spec.template : undefined;
  return isRecord(template) && isRecord(template.spec) ? template.spec : undefined;
}

function taintList(target: PolicyTarget, list: TaintList): TaintInput[] {
  const value = templateSpec(target)?.[list];
  return Array.isArray(value) ? value.filter(isRecord) : [];
}

function templateLabels(target: PolicyTarget): Record<string, unknown> {
  const spec = target.object.spec;
  const template = isRecord(spec) ? spec.template : undefined;
  const metadata = isRecord(template) ? template.metadata : undefined;
  return isRecord(metadata) && isRecord(metadata.labels) ? metadata.labels : {};
}

function requirements(target: PolicyTarget): { index: number; requirement: Record<string, unknown> }[] {
  const value = templateSpec(target)?.requirements;
  if (!Array.isArray(value)) return [];
  return value.flatMap((requirement: unknown, index) => (isRecord(requirement) ? [{ index, requirement }] : []));
}

function describeTaint(taint: TaintInput): string {
  const value = typeof taint.value === "string" && taint.value !== "" ? `=${taint.value}` : "";
  return `${String(taint.key)}${value}:${String(taint.effect)}`;
}

interface TaintPattern {
  key: string;
  value?: string;
  effect?: string;
}

function taintMatches(pattern: TaintPattern, taint: TaintInput): boolean {
  return (
    taint.key === pattern.key &&
    (pattern.value === undefined || taint.value === pattern.value) &&
    (pattern.effect === undefined || taint.effect === pattern.effect)
  );
}

export const systemIsolation = defineRule({
  id: "taints.system-isolation",
  family: "taints",
  title: "Only the system NodePool makes nodes that look like system nodes",
  docs: `Clusters commonly keep critical add-ons (CoreDNS, the metrics server, admission webhooks) on a dedicated system
pool: its nodes carry a system taint that ordinary pods do not tolerate — \`CriticalAddonsOnly\`, which many EKS add-ons tolerate and which EKS Auto Mode's built-in \`system\`
NodePool uses — and often a label such as \`node-role.kubernetes.io/system\` that the add-ons select.

A workload NodePool that produces such nodes breaks that isolation:

- nodes with the **system taint** attract every add-on that tolerates it, so cluster-critical pods land on
  workload nodes (spot capacity, aggressive consolidation, other teams' limits) and Karpenter may even launch
  workload-pool nodes for them;
- nodes with a **system label** satisfy add-ons' node selectors and affinities the same way, and when the pool
  lacks the taint, ordinary workloads share them too.

Karpenter puts a label on the node when the template's \`metadata.labels\` sets it, or when a requirement on that
key allows a value (\`In\`, \`Exists\`, \`NotIn\`, \`Gt\`, … — anything but \`DoesNotExist\`).

Parameters: \`systemLabels\` (label keys, default \`[node-role.kubernetes.io/system]\`), \`systemTaints\`
(\`{key, value?, effect?}\` patterns, default \`[{key: CriticalAddonsOnly}]\`) and \`systemPools\` — the names of the
NodePools that *are* system pools and may carry them (\`*\` and \`?\` wildcards; default \`[system]\`, EKS Auto
Mode's name). Fix a finding by removing the label, requirement or taint from the workload pool, or, if this pool
is meant to be a system pool, adding its name to \`systemPools\`.`,
  kinds: ["NodePool"],
  view: "raw",
  fields: [
    ["name"],
    ["object", "spec", "template", "metadata", "labels"],
    ["object", "spec", "template", "spec", "requirements"],
    ["object", "spec", "template", "spec", "taints"],
  ],
  enforcement: { baseline: "deny", strict: "deny" },
  params: {
    schema: {
      properties: {
        systemLabels: { type: "array", items: { type: "string", minLength: 1 } },
        systemTaints: {
          type: "array",
          items: {
            type: "object",
            additionalProperties: false,
            required: ["key"],
            properties: {
              key: { type: "string", minLength: 1 },
              value: { type: "string" },
              effect: { enum: ["NoSchedule", "PreferNoSchedule", "NoExecute"] },
            },
          },
        },
        systemPools: { type: "array", items: { type: "string", minLength: 1 } },
      },
    },
    defaults: {
      systemLabels: ["node-role.kubernetes.io/system"] as string[],
      systemTaints: [{ key: "CriticalAddonsOnly" }] as TaintPattern[],
      systemPools: ["system"] as string[],
    },
  },
  check(target, { params }) {
    if (params.systemPools.some((pattern) => nameMatches(pattern, target.name))) return [];
    const systemLabels = new Set(params.systemLabels);
    const out: Violation[] = [];
    const hint = `remove it from this workload pool, or add "${target.name}" to the rule's systemPools if it is a system pool`;
    for (const key of Object.keys(templateLabels(target))) {
      if (!systemLabels.has(key)) continue;
      out.push({
        path: ["spec", "template", "metadata", "labels", key],
        message: `template label ${key} marks this workload pool's nodes as system nodes, so add-ons that select system nodes are scheduled onto them and the system pool's isolation is lost.`,
        hint,
      });
    }
    for (const { index, requirement } of requirements(target)) {
      const key = requirement.key;
      if (typeof key !== "string" || !systemLabels.has(key) || requirement.operator === "DoesNotExist") continue;
      out.push({
        path: [...TEMPLATE_SPEC, "requirements", index],
        message: `requirement ${key} ${String(requirement.operator)} lets this workload pool launch nodes labelled as system nodes, so add-ons that select system nodes can be scheduled onto them and the system pool's isolation is lost.`,
        hint: `${hint} (or use operator DoesNotExist)`,
      });
    }
    taintList(target, "taints").forEach((taint, index) => {
      if (!params.systemTaints.some((pattern) => taintMatches(pattern, taint))) return;
      out.push({
        path: [...TEMPLATE_SPEC, "taints", index],
        message: `taint ${describeTaint(taint)} is the system nodes' taint, so every add-on that tolerates it can land on this workload pool's nodes instead of the system pool's.`,
        hint,
      });
    });
    return out;
  },
});

export const duplicate = defineRule({
  id: "taints.duplicate",
  family: "taints",
  title: "No taint key and effect appears twice",
  docs: `Karpenter's NodePool validation rejects a NodePool in which two taints share a key and an effect, within
\`taints\`, within \`startupTaints\`, or across the two lists (values do not matter: \`dedicated=a:NoSchedule\` and
\`dedicated=b:NoSchedule\` collide). The CRD schema does not catch it, so \`kubectl apply\` succeeds, but Karpenter
reports \`duplicate taint Key/Effect pair\`, the NodePool's \`ValidationSucceeded\` condition turns False, the
NodePool is not Ready, and it launches no nodes. The same key with different effects is fine.

Fix: keep one taint per key and effect. A taint that should stay on the node belongs in \`taints\`; one that a
DaemonSet removes after startup belongs in \`startupTaints\` only.`,
  kinds: ["NodePool"],
  view: "raw",
  fields: [
    ["object", "spec", "template", "spec", "taints"],
    ["object", "spec", "template", "spec", "startupTaints"],
  ],
  enforcement: { baseline: "deny", strict: "deny" },
  check(target) {
    return duplicateTaints(taintList(target, "taints"), taintList(target, "startupTaints")).map((d) => ({
      path: [...TEMPLATE_SPEC, d.list, d.index],
      message: `taint ${d.key}:${d.effect} repeats the key and effect of ${d.first.list}[${d.first.index}], which Karpenter's NodePool validation rejects ("duplicate taint Key/Effect pair"), so the NodePool is not Ready and launches no nodes.`,
      hint: `remove ${d.list}[${d.index}] or give it a different key or effect`,
    }));
  },
});

const OWNED: readonly { key: string; role: string }[] = [
  {
    key: DISRUPTED_NO_SCHEDULE_TAINT.key,
    role: "Karpenter's own taint for nodes it is draining, which it removes from every node it is not disrupting",
  },
  {
    key: UNREGISTERED_NO_EXECUTE_TAINT.key,
    role: "Karpenter's own taint for nodes it has not registered yet, which it removes when it registers the node",
  },
];

// What listing the taint does, by list: Karpenter's scheduler honours a pool's taints when it provisions, but
// assumes startup taints go away on their own.
const OWNED_EFFECT: Readonly<Record<TaintList, string>> = {
  taints:
    "so this pool launches nodes only for pods that tolerate it, while Karpenter's controllers add and remove it on their own",
  startupTaints:
    "so Karpenter's controllers add and remove it on their own and it cannot gate node startup the way this pool expects",
};

export const karpenterOwned = defineRule({
  id: "taints.karpenter-owned",
  family: "taints",
  title: "No taints Karpenter manages itself",
  docs: `Karpenter places and removes two taints on its nodes on its own:

- \`${DISRUPTED_NO_SCHEDULE_TAINT.key}:${DISRUPTED_NO_SCHEDULE_TAINT.effect}\` while it drains a node it is disrupting
  (consolidation, drift, expiry); its disruption controller removes it from every node that is not being
  disrupted, for instance after a restart;
- \`${UNREGISTERED_NO_EXECUTE_TAINT.key}:${UNREGISTERED_NO_EXECUTE_TAINT.effect}\`, which every new node registers with and which Karpenter
  removes once it has matched the node to its NodeClaim and synced labels and taints.

Neither the CRD nor Karpenter's validation stops a NodePool from listing them, but doing so makes Karpenter
fight itself. Karpenter's scheduler honours a pool's \`taints\` when it provisions, so pods that do not tolerate the
taint never get nodes from the pool, while the controllers that own the taint add and strip it on their own
schedule; as a startup taint it cannot gate node startup either, because Karpenter adds and removes it for its
own reasons.

Remove the taint from \`taints\` / \`startupTaints\`; to keep pods off a pool, use a taint key of your own.`,
  kinds: ["NodePool"],
  view: "raw",
  fields: [
    ["object", "spec", "template", "spec", "taints"],
    ["object", "spec", "template", "spec", "startupTaints"],
  ],
  enforcement: { baseline: "deny", strict: "deny" },
  check(target) {
    const out: Violation[] = [];
    for (const list of ["taints", "startupTaints"] as const) {
      taintList(target, list).forEach((taint, index) => {
        const owned = OWNED.find((o) => o.key === taint.key);
        if (!owned) return;
        out.push({
          path: [...TEMPLATE_SPEC, list, index],
          message: `taint ${describeTaint(taint)} is ${owned.role}, ${OWNED_EFFECT[list]}.`,
          hint: `remove ${list}[${index}]; use a taint key of your own to keep pods off this pool`,
        });
      });
    }
    return out;
  },
});

const SCHEDULING_EFFECTS = new Set(["NoSchedule", "NoExecute"]);

// The extended resource (and so the conventional taint key) of each GPU manufacturer, as Karpenter names them.
const GPU_TAINT_KEY: Readonly<Record<string, string>> = {
  nvidia: "nvidia.com/gpu",
  amd: "amd.com/gpu",
  habana: "habana.ai/gaudi",
};

// The pool's requirements as Karpenter layers them: template labels act as `In [value]` requirements.
function poolRequirements(target: PolicyTarget): NodeSelectorRequirementLike[] {
  const out: NodeSelectorRequirementLike[] = [];
  for (const { requirement } of requirements(target)) {
    if (typeof requirement.key !== "string" || typeof requirement.operator !== "string") continue;
    const values = Array.isArray(requirement.values) ? requirement.values.filter((v) => typeof v === "string") : [];
    out.push({ key: requirement.key, operator: requirement.operator, values });
  }
  for (const [key, value] of Object.entries(templateLabels(target))) {
    if (typeof value === "string") out.push({ key, operator: "In", values: [value] });
  }
  return out;
}

export const gpuUntainted = defineRule({
  id: "taints.gpu-untainted",
  family: "taints",
  title: "NodePools that can launch GPU instances taint them",
  docs: `A NodePool whose requirements allow GPU instance types (\`g\`, \`p\` and similar families, or no restriction on
the instance category at all) launches a GPU node when a pod requests \`nvidia.com/gpu\` (or \`amd.com/gpu\`,
\`habana.ai/gaudi\`). Unless the node is tainted, the Kubernetes scheduler then places *any* pod on it: ordinary
pods fill its CPU and memory, the next GPU pod no longer fits and gets another expensive node, and GPU nodes
stay busy with work a general-purpose node would do. GPU instances cost several times a general-purpose node of
the same size.

The usual fix is the taint the NVIDIA (or AMD) device plugin ecosystem expects, \`nvidia.com/gpu:NoSchedule\`, on
the GPU pool, with the matching toleration on GPU workloads (clusters with the \`ExtendedResourceToleration\`
admission plugin add it automatically to pods that request the GPU resource). Alternatively, exclude GPU types
from a general pool (for example \`karpenter.k8s.aws/instance-gpu-count DoesNotExist\`, or an instance-category
list without \`g\` and \`p\`) and keep a separate, tainted GPU pool.

Which types can have GPUs is read from the instance-type catalog, filtered by the pool's requirements and
template labels. A taint counts when its key is in \`gpuTaintKeys\` (default \`[nvidia.com/gpu, amd.com/gpu,
habana.ai/gaudi]\`; add your own key if the GPU pool uses one) and its effect is \`NoSchedule\` or \`NoExecute\`
(\`PreferNoSchedule\` is only a preference).`,
  kinds: ["NodePool"],
  view: "raw",
  fields: [
    ["object", "spec", "template", "metadata", "labels"],
    ["object", "spec", "template", "spec", "requirements"],
    ["object", "spec", "template", "spec", "taints"],
  ],
  enforcement: { baseline: "warn", strict: "deny" },
  params: {
    schema: { properties: { gpuTaintKeys: { type: "array", items: { type: "string", minLength: 1 }, minItems: 1 } } },
    defaults: { gpuTaintKeys: ["nvidia.com/gpu", "amd.com/gpu", "habana.ai/gaudi"] as string[] },
  },
  check(target, { params, catalog }) {
    const keys = new Set(params.gpuTaintKeys);
    const tainted = taintList(target, "taints").some(
      (t) => typeof t.key === "string" && keys.has(t.key) && SCHEDULING_EFFECTS.has(String(t.effect)),
    );
    if (tainted) return [];
    // Asking the catalog for the GPU types directly uses its index instead of scanning every allowed type.
    const gpuOnly = { key: "karpenter.k8s.aws/instance-gpu-count", operator: "Exists" };
    // An invalid requirement is schema.*'s finding.
    const gpuTypes = (unlessInvalid(() => catalog.matching([...poolRequirements(target), gpuOnly])) ?? []).filter(
      (type) => type.gpus > 0,
    );
    if (gpuTypes.length === 0) return [];
    const examples = gpuTypes.slice(0, 3).map((t) => t.name);
    const more = gpuTypes.length > examples.length ? `, … ${gpuTypes.length} in all` : "";
    const taints = templateSpec(target)?.taints;
    const manufacturers = new Set(gpuTypes.map((t) => t.gpuManufacturer));
    const [only] = manufacturers;
    const suggested = (manufacturers.size === 1 && only !== undefined && GPU_TAINT_KEY[only]) || "nvidia.com/gpu";
    return [
      {
        path: [...TEMPLATE_SPEC, Array.isArray(taints) ? "taints" : "requirements"],
        message: `this NodePool can launch GPU instance types (${examples.join(", ")}${more}) without a NoSchedule taint keyed ${params.gpuTaintKeys.join(", ")}, so pods that need no GPU are scheduled onto those expensive nodes and take the CPU and memory that GPU pods need.`,
        hint: `add the taint ${suggested}:NoSchedule (and the toleration to GPU workloads), or exclude GPU types with karpenter.k8s.aws/instance-gpu-count DoesNotExist`,
      },
    ];
  },
});

export const taintRules = [systemIsolation, duplicate, karpenterOwned, gpuUntainted];
