// The tags family: `spec.tags`, which Karpenter applies to the instances, volumes, network interfaces and launch
// templates it creates for an EC2NodeClass.
import { isRecord } from "../../api/index.ts";
import { defineRule } from "../rule.ts";
import type { PolicyTarget } from "../target.ts";

function tags(target: PolicyTarget): Record<string, unknown> | undefined {
  const spec = target.object.spec;
  return isRecord(spec) && isRecord(spec.tags) ? spec.tags : undefined;
}

function pointerSegment(key: string): string {
  return key.replaceAll("~", "~0").replaceAll("/", "~1");
}

export const required = defineRule({
  id: "tags.required",
  family: "tags",
  title: "EC2NodeClasses set the tags the organization requires",
  docs: `Karpenter copies \`spec.tags\` onto everything it launches for the class — instances, EBS volumes, network
interfaces, launch templates — next to its own tags (\`karpenter.sh/nodepool\`, \`karpenter.sh/nodeclaim\`,
\`karpenter.k8s.aws/ec2nodeclass\`, \`kubernetes.io/cluster/<cluster>\`, \`eks:eks-cluster-name\`). Cost allocation
reports, ownership lookups and tag-based IAM or SCP conditions depend on organization tags such as \`team\`,
\`cost-center\` or \`environment\`; a class without them launches capacity nobody can attribute, and an SCP that
requires the tag on \`ec2:RunInstances\` makes every launch fail.

Which keys are required is yours to say: \`requiredKeys\` is empty by default, so the rule reports nothing until
a PoolPolicy sets it, e.g. \`params: {requiredKeys: [team, cost-center]}\`. Missing tags are hardening advice:
\`warn\` in \`baseline\`, \`deny\` in \`strict\` (raise it to \`deny\` in a policy when an SCP enforces the tags).
Fix: add the keys to \`spec.tags\` with the right values. Changing \`spec.tags\` drifts the class's nodes, which
Karpenter then replaces.`,
  kinds: ["EC2NodeClass"],
  view: "raw",
  fields: [["object", "spec", "tags"]],
  enforcement: { baseline: "warn", strict: "deny" },
  params: {
    schema: {
      properties: { requiredKeys: { type: "array", items: { type: "string", minLength: 1 }, uniqueItems: true } },
    },
    defaults: { requiredKeys: [] as string[] },
  },
  check(target, { params }) {
    const present = tags(target) ?? {};
    const missing = params.requiredKeys.filter((key) => !Object.hasOwn(present, key));
    if (missing.length === 0) return [];
    const list = missing.map((k) => `"${k}"`).join(", ");
    return [
      {
        path: tags(target) ? ["spec", "tags"] : ["spec"],
        message: `spec.tags lacks ${list}, which this policy requires, so the instances, volumes and network interfaces Karpenter launches for this class cannot be attributed by ${missing.length === 1 ? "it" : "them"}.`,
        hint: `add ${list} to spec.tags`,
      },
    ];
  },
});

const AWS_PREFIX = /^aws:/i;

export const reserved = defineRule({
  id: "tags.reserved",
  family: "tags",
  title: "No tag keys reserved by AWS",
  docs: `EC2 reserves tag keys that begin with \`aws:\` (in any combination of upper and lower case) for AWS's own
tags; a request that tries to set one is rejected. The CRD does not check this prefix, so the EC2NodeClass is
accepted, but Karpenter passes \`spec.tags\` to every \`CreateFleet\` and launch-template call, so every launch for
the class fails and no node is ever created.

The tags Karpenter itself owns (\`karpenter.sh/nodepool\`, \`karpenter.sh/nodeclaim\`,
\`karpenter.k8s.aws/ec2nodeclass\`, \`eks:eks-cluster-name\`, \`kubernetes.io/cluster/…\`) are rejected by the CRD's
own validation rules and reported by \`schema.cel\`, not here.

Fix: remove the key or rename it without the prefix (\`aws:team\` → \`team\`); AWS-generated tags such as
\`aws:ec2launchtemplate:id\` are added by EC2 itself. The finding carries the patch that removes the key.`,
  kinds: ["EC2NodeClass"],
  view: "raw",
  fields: [
    ["object", "spec", "tags"],
    ["written", "spec", "tags"],
  ],
  enforcement: { baseline: "deny", strict: "deny" },
  check(target) {
    const written = isRecord(target.written.spec) && isRecord(target.written.spec.tags) ? target.written.spec.tags : {};
    return Object.keys(tags(target) ?? {})
      .filter((key) => AWS_PREFIX.test(key))
      .map((key) => ({
        path: ["spec", "tags", key],
        message: `tag key "${key}" uses the aws: prefix that EC2 reserves for AWS, so every instance launch for this class is rejected and no node is created.`,
        hint: `remove the tag or rename it without the prefix (e.g. "${key.slice(4) || "name"}")`,
        ...(Object.hasOwn(written, key)
          ? { patch: [{ op: "remove" as const, path: `/spec/tags/${pointerSegment(key)}` }] }
          : {}),
      }));
  },
});

export const tagRules = [required, reserved];
