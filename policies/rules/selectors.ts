// The selectors family: what an EC2NodeClass's subnet and security-group selector terms really select, and
// whether its IAM identity can work. Karpenter turns each term into EC2 Describe* filters (karpenter-provider-aws
// pkg/providers/{subnet,securitygroup} getFilterSets): an `id` term becomes an id filter, a security-group `name`
// term a group-name filter, and otherwise each tag becomes `tag:KEY=VALUE`, or `tag-key=KEY` when the value is "*".
// A term with no filter at all is a Describe call without filters: every subnet or security group in the region.
import { isRecord, type FieldPath } from "../../api/index.ts";
import { defineRule, type Violation } from "../rule.ts";
import type { PolicyTarget } from "../target.ts";

const kinds = ["EC2NodeClass"] as const;

type SelectorField = "subnetSelectorTerms" | "securityGroupSelectorTerms";

interface Term {
  index: number;
  path: FieldPath;
  id: string | undefined;
  name: string | undefined;
  /** undefined when the term has no `tags` field; `{}` when it is written empty. */
  tags: Record<string, string> | undefined;
}

const WHAT: Record<SelectorField, { noun: string; plural: string }> = {
  subnetSelectorTerms: { noun: "subnet", plural: "subnets" },
  securityGroupSelectorTerms: { noun: "security group", plural: "security groups" },
};

function spec(target: PolicyTarget): Record<string, unknown> {
  return isRecord(target.object.spec) ? target.object.spec : {};
}

function terms(target: PolicyTarget, field: SelectorField): Term[] {
  const list = spec(target)[field];
  if (!Array.isArray(list)) return [];
  return list.flatMap((term: unknown, index): Term[] => {
    if (!isRecord(term)) return [];
    const tags = isRecord(term.tags)
      ? Object.fromEntries(Object.entries(term.tags).filter((e): e is [string, string] => typeof e[1] === "string"))
      : undefined;
    return [
      {
        index,
        path: ["spec", field, index],
        id: typeof term.id === "string" && term.id !== "" ? term.id : undefined,
        // Only security-group terms have a name; a subnet term's stray `name` is schema.unknown-field's business.
        name:
          field === "securityGroupSelectorTerms" && typeof term.name === "string" && term.name !== ""
            ? term.name
            : undefined,
        tags,
      },
    ];
  });
}

const allWildcards = (value: string): boolean => /^\*+$/.test(value);

/** The filter Karpenter actually sends for a term, by its switch order: id, then name, then tags. */
function effective(term: Term): "id" | "name" | "tags" {
  return term.id !== undefined ? "id" : term.name !== undefined ? "name" : "tags";
}

export const matchEverything = defineRule({
  id: "selectors.match-everything",
  family: "selectors",
  title: "No subnet or security-group selector term matches every subnet or security group in the region",
  docs: `Karpenter resolves each selector term with an EC2 \`DescribeSubnets\` or \`DescribeSecurityGroups\` call whose
filters come from the term. Two terms pass the CRD's validation yet carry no filter at all:

- \`tags: {}\` (an empty map, with no \`id\` or \`name\`): the call has no filter and returns **every** subnet (or
  security group) in the account and region, across every VPC;
- a security-group \`name\` made only of \`*\`: EC2 filter values are wildcards, so it matches every group name.

For subnets, Karpenter then launches into whichever matching subnet of the zone has the most free IP addresses:
another VPC, a public subnet, another cluster's subnet. For security groups, **every** matched group is attached to
every node — rules meant for other workloads open up on your nodes, and the launch fails once the groups come from
different VPCs or exceed the per-interface limit. Either way this is never what a manifest means, so it is denied.

Fix: select by a tag only this cluster's resources carry (the getting-started convention is
\`karpenter.sh/discovery: <cluster-name>\`), or list the \`id\`s.`,
  kinds,
  view: "raw",
  fields: [
    ["object", "spec", "securityGroupSelectorTerms"],
    ["object", "spec", "subnetSelectorTerms"],
  ],
  enforcement: { baseline: "deny", strict: "deny" },
  check(target) {
    const out: Violation[] = [];
    for (const field of ["subnetSelectorTerms", "securityGroupSelectorTerms"] as const) {
      const { noun, plural } = WHAT[field];
      for (const term of terms(target, field)) {
        if (term.id !== undefined) continue;
        if (term.name !== undefined) {
          if (allWildcards(term.name)) {
            out.push({
              path: [...term.path, "name"],
              message: `${field}[${term.index}] has name "${term.name}", a wildcard that matches every ${noun} name in the region, so Karpenter attaches every ${noun} it finds to each node.`,
              hint: `select the ${plural} by a tag only this cluster's ${plural} carry (e.g. karpenter.sh/discovery: <cluster-name>), by exact name, or by id`,
            });
          }
          continue;
        }
        if (term.tags !== undefined && Object.keys(term.tags).length === 0) {
          out.push({
            path: [...term.path, "tags"],
            message: `${field}[${term.index}] has an empty tags map and no id, so Karpenter's lookup has no filter and selects every ${noun} in the account and region, across all VPCs.`,
            hint: `give the term a tag only this cluster's ${plural} carry (e.g. karpenter.sh/discovery: <cluster-name>), or remove it`,
          });
        }
      }
    }
    return out;
  },
});

export const broadTags = defineRule<{ broadTagKeys: string[] }>({
  id: "selectors.broad-tags",
  family: "selectors",
  title: "Selector terms select by something narrower than a tag's mere presence",
  docs: `A tag value of \`"*"\` in a subnet or security-group selector term does not match a value: Karpenter turns it into
EC2's \`tag-key\` filter, so \`{tags: {Name: "*"}}\` selects every subnet (or security group) that has a \`Name\` tag —
in most accounts, all of them, in every VPC of the region. Some tags are just as broad with a value: the load
balancer discovery tags \`kubernetes.io/role/elb\` and \`kubernetes.io/role/internal-elb\` (value \`1\`) are on the
public or private subnets of *every* VPC and cluster that follows the EKS conventions.

A term is reported when **every** condition in it is broad: a value made only of \`*\`, or a key listed in the
\`broadTagKeys\` parameter. One precise condition (\`karpenter.sh/discovery: my-cluster\`) in the same term narrows it,
since a term's conditions are ANDed. Security groups matter most: every matched group is attached to every node.

Fix: select by a tag only this cluster's resources carry, or by id. Wildcards inside a value (\`Name: "*-private-*"\`)
are not reported.`,
  kinds,
  view: "raw",
  fields: [
    ["object", "spec", "securityGroupSelectorTerms"],
    ["object", "spec", "subnetSelectorTerms"],
  ],
  enforcement: { baseline: "warn", strict: "deny" },
  params: {
    schema: { properties: { broadTagKeys: { type: "array", items: { type: "string", minLength: 1 } } } },
    defaults: { broadTagKeys: ["kubernetes.io/role/elb", "kubernetes.io/role/internal-elb"] },
  },
  check(target, { params }) {
    const broadKeys = new Set(params.broadTagKeys);
    const out: Violation[] = [];
    for (const field of ["subnetSelectorTerms", "securityGroupSelectorTerms"] as const) {
      const { noun, plural } = WHAT[field];
      for (const term of terms(target, field)) {
        if (effective(term) !== "tags" || term.tags === undefined) continue;
        const entries = Object.entries(term.tags);
        if (entries.length === 0) continue; // selectors.match-everything
        if (!entries.every(([key, value]) => allWildcards(value) || broadKeys.has(key))) continue;
        const what = entries
          .map(([key, value]) => (allWildcards(value) ? `any "${key}" tag` : `the shared "${key}" tag`))
          .join(" and ");
        const [firstKey] = entries[0] ?? [];
        out.push({
          path: [...term.path, "tags", ...(entries.length === 1 && firstKey !== undefined ? [firstKey] : [])],
          message: `${field}[${term.index}] selects every ${noun} with ${what}, which usually includes ${plural} of other VPCs and clusters in the region.`,
          hint: `add a tag only this cluster's ${plural} carry (e.g. karpenter.sh/discovery: <cluster-name>) to the term, or select by id`,
        });
      }
    }
    return out;
  },
});

export const ignoredFields = defineRule({
  id: "selectors.ignored-fields",
  family: "selectors",
  title: "No selector term combines an id or name with other conditions Karpenter ignores",
  docs: `Karpenter reads a subnet or security-group selector term by the first field it has: \`id\`, then (security groups)
\`name\`, then \`tags\`. The rest of the term is **silently ignored**: \`{id: subnet-1, tags: {...}}\` selects subnet-1
whatever its tags, and \`{name: nodes, tags: {team: a}}\` selects every group named \`nodes\` — in any VPC — without
looking at the tag. The docs still show "name and tags (all criteria must match)", but the code never ANDs them.

The CRD's CEL rules were meant to forbid these combinations, but they are written \`!self.all(...)\`: they reject a
list only when *every* term combines fields. A list with one combined term and one plain term is accepted — that
case is reported here (the all-terms case is \`schema.cel\`'s).

Fix: split the term in two (an \`id\` term and a \`tags\` term are ORed), or keep only the condition you mean.`,
  kinds,
  view: "raw",
  fields: [
    ["object", "spec", "securityGroupSelectorTerms"],
    ["object", "spec", "subnetSelectorTerms"],
  ],
  enforcement: { baseline: "warn", strict: "deny" },
  check(target) {
    const out: Violation[] = [];
    for (const field of ["subnetSelectorTerms", "securityGroupSelectorTerms"] as const) {
      const all = terms(target, field);
      const combined = all.filter(
        (t) =>
          (t.id !== undefined && (t.tags !== undefined || t.name !== undefined)) ||
          (t.name !== undefined && t.tags !== undefined),
      );
      // Every term combined: the CRD's own CEL rule rejects the list, and schema.cel reports it.
      if (combined.length === all.length) continue;
      for (const term of combined) {
        const used = effective(term);
        const ignored = [
          term.name !== undefined && used !== "name" ? "name" : undefined,
          term.tags !== undefined ? "tags" : undefined,
        ].filter((f): f is string => f !== undefined);
        out.push({
          path: [...term.path, ignored[0] ?? "tags"],
          message: `${field}[${term.index}] sets ${used} together with ${ignored.join(" and ")}, and Karpenter selects by ${used} alone, ignoring the ${ignored.join(" and ")} of this term.`,
          hint: `split it into separate terms (terms are ORed) or remove the ${ignored.join(" and ")} you do not need`,
        });
      }
    }
    return out;
  },
});

// IAM names: letters, digits and +=,.@_- (up to 64 for roles, 128 for instance profiles); `${VAR}` placeholders of
// templated manifests (the upstream examples use "KarpenterNodeRole-${CLUSTER_NAME}") are left to the renderer.
const IAM_NAME = /^[\w+=,.@-]+$/;
const PLACEHOLDER = /\$\{[^}]*\}|\{\{[^}]*\}\}/g;
const ARN = /^arn:[^:]*:iam::[^:]*:(role|instance-profile)\/(.+)$/;

function lastSegment(value: string): string {
  return value.split("/").pop() ?? value;
}

export const roleOrInstanceProfile = defineRule({
  id: "selectors.role-or-instance-profile",
  family: "selectors",
  title: "The node identity (role or instanceProfile) is a name EC2 and IAM accept",
  docs: `The CRD already requires exactly one of \`role\` and \`instanceProfile\` (that is \`schema.cel\`); this rule checks what
it does not.

- **\`instanceProfile\` written as an ARN** (\`arn:aws:iam::111122223333:instance-profile/Nodes\`): Karpenter passes the
  value to EC2 as the instance profile *name*, so every launch fails with an invalid-profile error, while the
  EC2NodeClass still reports its instance profile as ready (aws/karpenter-provider-aws#8312). The fix is certain:
  the name is the ARN's last path segment, and poolkeeper offers that patch.
- **A \`role\` or \`instanceProfile\` with characters IAM names cannot have** (IAM allows letters, digits and
  \`+=,.@_-\`; a role may carry a \`path/\` prefix, which Karpenter strips): the IAM call fails and no node launches.
  \`\${VAR}\` and \`{{ }}\` placeholders are ignored, as in templated manifests.

A \`role\` written as an ARN is \`selectors.role-arn\`'s business.`,
  kinds,
  view: "raw",
  fields: [
    ["object", "spec", "instanceProfile"],
    ["object", "spec", "role"],
  ],
  enforcement: { baseline: "deny", strict: "deny" },
  check(target) {
    const s = spec(target);
    const out: Violation[] = [];
    if (typeof s.instanceProfile === "string" && s.instanceProfile !== "") {
      const profile = s.instanceProfile;
      const arn = ARN.exec(profile);
      if (profile.startsWith("arn:")) {
        const name = arn?.[1] === "instance-profile" && arn[2] !== undefined ? lastSegment(arn[2]) : undefined;
        out.push({
          path: ["spec", "instanceProfile"],
          message: `spec.instanceProfile is an ARN, but Karpenter passes it to EC2 as the instance profile name, so every node launch from this EC2NodeClass fails.`,
          hint: name ? `write the instance profile name: ${name}` : "write the instance profile's name, not its ARN",
          ...(name && IAM_NAME.test(name)
            ? { patch: [{ op: "replace" as const, path: "/spec/instanceProfile", value: name }] }
            : {}),
        });
      } else if (!IAM_NAME.test(profile.replace(PLACEHOLDER, "x")) || profile.length > 128) {
        out.push({
          path: ["spec", "instanceProfile"],
          message: `spec.instanceProfile "${profile}" is not a valid IAM instance profile name, so every node launch from this EC2NodeClass fails.`,
          hint: "use the instance profile's name: letters, digits and +=,.@_-, at most 128 characters",
        });
      }
    }
    if (typeof s.role === "string" && s.role !== "" && !s.role.startsWith("arn:")) {
      const name = lastSegment(s.role.replace(PLACEHOLDER, "x"));
      if (!IAM_NAME.test(name) || name.length > 64) {
        out.push({
          path: ["spec", "role"],
          message: `spec.role "${s.role}" is not a valid IAM role name, so Karpenter cannot attach it to the instance profile it creates and no node launches.`,
          hint: "use the role's name (letters, digits and +=,.@_-, at most 64 characters), e.g. KarpenterNodeRole-<cluster-name>",
        });
      }
    }
    return out;
  },
});

export const roleArn = defineRule({
  id: "selectors.role-arn",
  family: "selectors",
  title: "spec.role is a role name, not an ARN",
  docs: `\`spec.role\` is the *name* of the node IAM role: Karpenter creates an instance profile for it and adds the role
to it. Since v1.2 (aws/karpenter-provider-aws#7524, support for role paths) Karpenter keeps only the part after the
last \`/\`, so an ARN happens to work — but everything else in it is ignored: an ARN from another account or
partition silently means the role *of the same name in the cluster's account*, and Karpenter versions before the
change fail with "The specified value for roleName is invalid".

Fix: write the role name (\`KarpenterNodeRole-my-cluster\`). Changing \`role\` replaces every node of the class
(drift), so do it when a rollout is acceptable; poolkeeper offers no automatic patch for that reason.`,
  kinds,
  view: "raw",
  fields: [["object", "spec", "role"]],
  enforcement: { baseline: "warn", strict: "deny" },
  check(target) {
    const role = spec(target).role;
    if (typeof role !== "string" || !role.startsWith("arn:")) return [];
    const arn = ARN.exec(role);
    const name = arn?.[1] === "role" && arn[2] !== undefined ? lastSegment(arn[2]) : undefined;
    return [
      {
        path: ["spec", "role"],
        message: `spec.role is an ARN, and Karpenter uses only the name after its last "/", so the account and path in it are ignored${name ? ` and the role named "${name}" in the cluster's account is used` : ""}.`,
        hint: name
          ? `write the role name: ${name} (changing role replaces the class's nodes)`
          : "write the role's name, not an ARN",
      },
    ];
  },
});

export const selectorsRules = [matchEverything, broadTags, ignoredFields, roleOrInstanceProfile, roleArn];
