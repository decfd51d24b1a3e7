// The disruption family: how long a NodePool's nodes live and how they leave — expiry, consolidation, and the
// termination grace period that bounds a drain. Judged on the defaulted object, so an unset field is judged at
// Karpenter's default (expireAfter 720h, consolidateAfter 0s, no terminationGracePeriod).
import type { Operation } from "fast-json-patch";
import {
  describeDuration,
  isRecord,
  parseKarpenterDuration,
  unlessInvalid,
  type KarpenterDuration,
} from "../../api/index.ts";
import { defineRule } from "../rule.ts";
import type { PolicyTarget } from "../target.ts";
import { valueAtPath } from "../../api/index.ts";

const kinds = ["NodePool"] as const;
const DURATION_PARAM = { type: "string", pattern: "^([0-9]+(s|m|h))+$" };
const EXPIRE_AFTER = ["spec", "template", "spec", "expireAfter"];
const TGP = ["spec", "template", "spec", "terminationGracePeriod"];
const CONSOLIDATE_AFTER = ["spec", "disruption", "consolidateAfter"];

const at = valueAtPath;

/** A duration field of the judged object; undefined when absent or malformed (schema reports that). */
function duration(
  target: PolicyTarget,
  path: readonly string[],
): { raw: string; value: KarpenterDuration } | undefined {
  const raw = at(target.object, path);
  if (typeof raw !== "string") return undefined;
  const value = unlessInvalid(() => parseKarpenterDuration(raw, { allowNever: true }));
  return value && { raw, value };
}

function paramMs(value: string): number {
  const parsed = parseKarpenterDuration(value, { allowNever: false });
  return parsed.never ? Infinity : parsed.ms;
}

const written = (target: PolicyTarget, path: readonly string[]) => at(target.written, path) !== undefined;

export const expireAfterMax = defineRule<{ maxExpireAfter: string }>({
  id: "disruption.expire-after-max",
  family: "disruption",
  title: "Nodes expire within a maximum lifetime",
  docs: `\`spec.template.spec.expireAfter\` (default \`720h\`, 30 days) is how long a node may live: when it is reached,
Karpenter deletes the NodeClaim and a replacement is provisioned for its pods. Expiry is the backstop that
eventually replaces every node — with the current AMI, kernel and kubelet, and without whatever state (memory leaks,
full disks, stale config) a long-lived node accumulates. Drift catches many AMI changes, but not a pinned AMI that
nobody bumps, nor problems that leave the manifest unchanged.

Reported: an \`expireAfter\` above \`maxExpireAfter\` (default \`720h\`, Karpenter's own default), or \`Never\`, which turns
expiry off entirely so a node lives until drift, consolidation or an interruption happens to remove it.

Expiry is **forceful**: disruption budgets do not hold it back, and once a node has expired, its drain waits for
PodDisruptionBudgets and \`karpenter.sh/do-not-disrupt\` pods only until \`terminationGracePeriod\` runs out — so
\`expireAfter + terminationGracePeriod\` is the hard maximum lifetime of a node (see
\`disruption.termination-grace-period\`).

Fix: set \`expireAfter\` at or below the maximum. Changing it replaces the pool's existing nodes (it is part of the
template hash), so poolkeeper offers no automatic patch.`,
  kinds,
  view: "raw",
  fields: [["object", "spec", "template", "spec", "expireAfter"]],
  enforcement: { baseline: "warn", strict: "deny" },
  params: {
    schema: { properties: { maxExpireAfter: DURATION_PARAM } },
    defaults: { maxExpireAfter: "720h" },
  },
  check(target, { params }) {
    const expire = duration(target, EXPIRE_AFTER);
    if (!expire) return [];
    const hint = `set spec.template.spec.expireAfter to at most ${params.maxExpireAfter}; changing it replaces the pool's existing nodes (drift)`;
    if (expire.value.never) {
      return [
        {
          path: EXPIRE_AFTER,
          message: `spec.template.spec.expireAfter is Never, so Karpenter never replaces this pool's nodes for age and a node lives until drift, consolidation or an interruption removes it.`,
          hint,
        },
      ];
    }
    const max = paramMs(params.maxExpireAfter);
    if (expire.value.ms <= max) return [];
    return [
      {
        path: EXPIRE_AFTER,
        message: `spec.template.spec.expireAfter is ${expire.raw} (${describeDuration(expire.value.ms)}), above the maximum of ${params.maxExpireAfter}, so Karpenter may leave a node of this pool running that long on the AMI and kernel it launched with.`,
        hint,
      },
    ];
  },
});

export const consolidateAfterMin = defineRule<{ minConsolidateAfter: string }>({
  id: "disruption.consolidate-after-min",
  family: "disruption",
  title: "Consolidation waits before removing or replacing a node",
  docs: `\`spec.disruption.consolidateAfter\` is how long a node must have seen no pod arrive or leave before Karpenter
may consolidate it (remove it when empty, or, with \`WhenEmptyOrUnderutilized\`, replace it with a cheaper one).
Karpenter's default is \`0s\`: valid, and the cheapest, but a pool whose pods come and go (batch jobs, CI runners,
autoscaled deployments) then churns — a node is removed the moment it empties and a new one is launched for the next
pod, each cycle paying for boot time, image pulls and pod restarts.

Reported: a \`consolidateAfter\` below \`minConsolidateAfter\` (default \`30s\`), including Karpenter's default when the
field is not set. \`Never\` (consolidation off) and static pools (\`spec.replicas\`, where it is ignored) are not
reported.

Fix: set \`consolidateAfter\` to at least the minimum — longer for bursty workloads. It is a disruption setting and
does not drift nodes, so poolkeeper offers the patch.`,
  kinds,
  view: "raw",
  fields: [
    ["object", "spec", "disruption"],
    ["object", "spec", "replicas"],
    ["written", "spec", "disruption"],
  ],
  // Audit in baseline: 0s is Karpenter's default and valid; churn is advice, not breakage.
  enforcement: { baseline: "audit", strict: "warn" },
  params: {
    schema: { properties: { minConsolidateAfter: DURATION_PARAM } },
    defaults: { minConsolidateAfter: "30s" },
  },
  check(target, { params }) {
    if (at(target.object, ["spec", "replicas"]) !== undefined) return [];
    const after = duration(target, CONSOLIDATE_AFTER);
    if (!after || after.value.never) return [];
    if (after.value.ms >= paramMs(params.minConsolidateAfter)) return [];
    const policy = at(target.object, ["spec", "disruption", "consolidationPolicy"]);
    const state = policy === "WhenEmpty" ? "empty" : "empty or underutilized";
    const isDefault = !written(target, CONSOLIDATE_AFTER);
    return [
      {
        path: CONSOLIDATE_AFTER,
        message: `spec.disruption.consolidateAfter is ${after.raw}${isDefault ? " (Karpenter's default, as it is not set)" : ""}, below the minimum of ${params.minConsolidateAfter}, so Karpenter may remove a node the moment it looks ${state} and churn nodes as pods come and go.`,
        hint: `set spec.disruption.consolidateAfter to ${params.minConsolidateAfter} or more (this does not replace existing nodes)`,
        patch: consolidateAfterPatch(target, params.minConsolidateAfter),
      },
    ];
  },
});

function consolidateAfterPatch(target: PolicyTarget, value: string): Operation[] | undefined {
  const spec = at(target.written, ["spec"]);
  if (!isRecord(spec)) return undefined;
  if (!isRecord(spec.disruption)) return [{ op: "add", path: "/spec/disruption", value: { consolidateAfter: value } }];
  const op = spec.disruption.consolidateAfter === undefined ? "add" : "replace";
  return [{ op, path: "/spec/disruption/consolidateAfter", value }];
}

export const terminationGracePeriod = defineRule({
  id: "disruption.termination-grace-period",
  family: "disruption",
  title: "Expiring nodes have a terminationGracePeriod that bounds their drain",
  docs: `When a node reaches \`expireAfter\`, Karpenter deletes it **forcefully**: disruption budgets do not hold expiry back.
The drain itself still respects PodDisruptionBudgets and the \`karpenter.sh/do-not-disrupt\` annotation — and
without \`spec.template.spec.terminationGracePeriod\`, the CRD says it plainly: "the controller will wait
indefinitely for pods to be drained". A PDB that allows no eviction (a single replica with \`minAvailable: 1\`, a
stateful set mid-rebalance) or a do-not-disrupt pod keeps the expired node cordoned and billed forever, and the
pool's rollout stalls behind it.

With \`terminationGracePeriod\` set, Karpenter starts deleting the remaining pods when the grace period runs out
(earlier for pods whose own \`terminationGracePeriodSeconds\` would not fit), so \`expireAfter +
terminationGracePeriod\` is the hard maximum lifetime of a node. Drifted nodes drain under the same bound.

Reported when \`expireAfter\` is a duration (including the \`720h\` default) and \`terminationGracePeriod\` is not set.

Fix: set \`terminationGracePeriod\` long enough for your slowest graceful shutdown (e.g. \`24h\` or \`48h\`). Adding it
changes the template hash and replaces the pool's existing nodes, so poolkeeper offers no automatic patch.`,
  kinds,
  view: "raw",
  fields: [
    ["object", "spec", "template", "spec", "expireAfter"],
    ["object", "spec", "template", "spec", "terminationGracePeriod"],
  ],
  enforcement: { baseline: "warn", strict: "deny" },
  check(target) {
    const expire = duration(target, EXPIRE_AFTER);
    if (!expire || expire.value.never || at(target.object, TGP) !== undefined) return [];
    return [
      {
        path: TGP,
        message: `spec.template.spec.terminationGracePeriod is not set, so once a node expires after ${expire.raw}, a drain blocked by a PodDisruptionBudget or a do-not-disrupt pod keeps the expired node draining indefinitely.`,
        hint: "set spec.template.spec.terminationGracePeriod (e.g. 24h) so expireAfter + terminationGracePeriod bounds a node's lifetime; adding it replaces the pool's nodes (drift)",
      },
    ];
  },
});

export const disruptionRules = [expireAfterMax, consolidateAfterMin, terminationGracePeriod];
