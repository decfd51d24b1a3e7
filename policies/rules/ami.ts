// The ami family: which operating-system images an EC2NodeClass's nodes boot, and whether that image keeps
// changing under them. The family itself (Karpenter's `AMIFamily()`) is api's `amiFamilyOf`.
import { amiFamilyFromAlias, amiFamilyOf, isRecord, type FieldPath } from "../../api/index.ts";
import { defineRule, type Violation } from "../rule.ts";
import type { PolicyTarget } from "../target.ts";
import { V1_AMI_FAMILIES } from "../../api/index.ts";

/** The EC2NodeClass `amiFamily` values (the CRD's enum). */
export const AMI_FAMILIES = V1_AMI_FAMILIES;

export interface AliasTerm {
  /** Path of the `alias` field in the judged object. */
  path: FieldPath;
  alias: string;
  /** The alias family as written (`al2023`). */
  aliasFamily: string;
  /** The amiFamily it stands for (`AL2023`), undefined for an unknown family (schema.cel reports it). */
  family: string | undefined;
  version: string;
}

function spec(target: PolicyTarget): Record<string, unknown> | undefined {
  const value = target.object.spec;
  return isRecord(value) ? value : undefined;
}

/** Every `amiSelectorTerms[].alias` of an EC2NodeClass. */
export function aliasTerms(target: PolicyTarget): AliasTerm[] {
  const terms = spec(target)?.amiSelectorTerms;
  if (!Array.isArray(terms)) return [];
  const out: AliasTerm[] = [];
  terms.forEach((term: unknown, index) => {
    if (!isRecord(term) || typeof term.alias !== "string") return;
    const at = term.alias.indexOf("@");
    const aliasFamily = at < 0 ? term.alias : term.alias.slice(0, at);
    out.push({
      path: ["spec", "amiSelectorTerms", index, "alias"],
      alias: term.alias,
      aliasFamily,
      family: amiFamilyFromAlias(term.alias),
      version: at < 0 ? "" : term.alias.slice(at + 1),
    });
  });
  return out;
}

// Where amiFamilyOf found the family: a non-empty amiFamily, else the first non-empty alias.
function familyPath(target: PolicyTarget): FieldPath {
  const written = spec(target)?.amiFamily;
  if (typeof written === "string" && written !== "") return ["spec", "amiFamily"];
  return aliasTerms(target).find((t) => t.alias !== "")?.path ?? ["spec", "amiSelectorTerms"];
}

export const familyAllowed = defineRule({
  id: "ami.family-allowed",
  family: "ami",
  title: "The AMI family is one the platform supports",
  docs: `The AMI family decides the operating system every node of the class boots and how Karpenter bootstraps it:
the user-data format (nodeadm \`NodeConfig\` for \`AL2023\`, TOML settings for \`Bottlerocket\`, \`bootstrap.sh\` for
\`AL2\`, PowerShell for Windows, nothing at all for \`Custom\`), the default block devices, and which EKS-optimized
images an \`alias\` selects. A platform team usually supports a few of them — hardened, scanned and patched — and
\`Custom\` moves node bootstrapping to whoever wrote the user data.

The family judged is \`spec.amiFamily\`, or, when it is not set, the family of the \`alias\` term (Karpenter infers
it the same way). With \`amiFamily: Custom\` the family of each alias is judged too, since the alias still decides
which image boots.

By default every family is allowed and the rule reports nothing. Set \`allowedFamilies\` in a PoolPolicy to the
families you support, e.g. \`[AL2023, Bottlerocket]\`. To fix a finding, move the class to an allowed family:
for an alias, change both the alias and \`amiFamily\` (or drop \`amiFamily\`, which the alias implies), and port any
custom \`userData\` to the new family's format.`,
  kinds: ["EC2NodeClass"],
  view: "raw",
  fields: [
    ["object", "spec", "amiFamily"],
    ["object", "spec", "amiSelectorTerms"],
  ],
  enforcement: { baseline: "deny", strict: "deny" },
  params: {
    schema: {
      properties: {
        allowedFamilies: { type: "array", items: { enum: [...AMI_FAMILIES] }, uniqueItems: true },
      },
    },
    defaults: { allowedFamilies: [...AMI_FAMILIES] as string[] },
  },
  check(target, { params }) {
    const allowed = new Set(params.allowedFamilies);
    const list = params.allowedFamilies.join(", ") || "none";
    const out: Violation[] = [];
    const family = amiFamilyOf(target.object.spec);
    if (family !== undefined && !allowed.has(family)) {
      out.push({
        path: familyPath(target),
        message: `AMI family ${family} is not one this policy allows (${list}), so nodes of this class would boot an operating system and bootstrap path the platform does not support.`,
        hint: `move the class to one of: ${list}`,
      });
    }
    if (family === "Custom") {
      for (const term of aliasTerms(target)) {
        if (term.family === undefined || allowed.has(term.family)) continue;
        out.push({
          path: term.path,
          message: `alias ${term.alias} selects ${term.family} images, which this policy does not allow (${list}), so nodes of this class would boot an operating system the platform does not support.`,
          hint: `select an image of an allowed family: ${list}`,
        });
      }
    }
    return out;
  },
});

/** Amazon EKS stopped publishing and supporting EKS-optimized AL2 AMIs on this day. */
export const EKS_AL2_END_OF_SUPPORT = "2025-11-26";
/** Amazon Linux 2 itself reaches end of support on this day. */
export const AL2_END_OF_SUPPORT = "2026-06-30";

export const al2EndOfSupport = defineRule({
  id: "ami.al2-end-of-support",
  family: "ami",
  title: "No nodes on Amazon Linux 2, whose EKS AMIs are out of support",
  docs: `Amazon EKS stopped publishing EKS-optimized Amazon Linux 2 AMIs on ${EKS_AL2_END_OF_SUPPORT}: Kubernetes 1.32 is the last
version with AL2 AMIs, and the images published before that date get no further security fixes. Amazon Linux 2
itself reaches end of support on ${AL2_END_OF_SUPPORT}. For an EC2NodeClass this means:

- with \`alias: al2@latest\` (or a pinned \`al2@…\`), nodes boot an image that no longer receives patches, and once the
  cluster runs Kubernetes 1.33 or later there is no AL2 image for its version for Karpenter to resolve, so the class
  stops launching nodes;
- with \`amiFamily: AL2\` and your own AMIs, Karpenter still generates \`bootstrap.sh\` user data, but the AL2 build
  scripts are frozen on the \`al2\` branch of awslabs/amazon-eks-ami (best-effort only) and the OS underneath goes out
  of support.

The rule flags \`amiFamily: AL2\` and every \`al2@…\` alias. Move to \`al2023\` (nodeadm; custom \`userData\` moves from
\`bootstrap.sh\` flags to a \`NodeConfig\` document) or \`bottlerocket\` (TOML settings), and roll the nodes with the
disruption budgets you trust: changing the AMI selection drifts every node of the class.`,
  kinds: ["EC2NodeClass"],
  view: "raw",
  enforcement: { baseline: "warn", strict: "deny" },
  reads: ["now"],
  timeKey: (now) => String(al2Ended(now)),
  check(target, { now }) {
    const ended = al2Ended(now);
    const status = ended
      ? `Amazon EKS stopped supporting its AL2 AMIs on ${EKS_AL2_END_OF_SUPPORT} and publishes none for Kubernetes 1.33 or later`
      : `Amazon EKS stops supporting its AL2 AMIs on ${EKS_AL2_END_OF_SUPPORT} and publishes none for Kubernetes 1.33 or later`;
    const hint =
      "move to alias al2023@<version> (nodeadm NodeConfig user data) or bottlerocket@<version> (TOML settings)";
    const al2Alias = aliasTerms(target).find((t) => t.family === "AL2");
    if (al2Alias) {
      return [
        {
          path: al2Alias.path,
          message: `alias ${al2Alias.alias} selects Amazon Linux 2 images; ${status}, so nodes of this class get no more security fixes and stop launching once the cluster is upgraded.`,
          hint,
        },
      ];
    }
    if (spec(target)?.amiFamily === "AL2") {
      return [
        {
          path: ["spec", "amiFamily"],
          message: `amiFamily AL2 bootstraps nodes as Amazon Linux 2; ${status}, and Amazon Linux 2 itself ends support on ${AL2_END_OF_SUPPORT}, so these nodes run an OS that no longer gets security fixes.`,
          hint,
        },
      ];
    }
    return [];
  },
});

function al2Ended(now: Date): boolean {
  return now.getTime() >= Date.parse(`${EKS_AL2_END_OF_SUPPORT}T00:00:00Z`);
}

const WINDOWS_ALIAS = /^windows/;

export const unpinnedAlias = defineRule({
  id: "ami.unpinned-alias",
  family: "ami",
  title: "AMI aliases are pinned to a release, not @latest",
  docs: `An \`alias\` selects the EKS-optimized AMI of a family, either a pinned release (\`al2023@v20240807\`,
\`bottlerocket@v1.20.3\`, \`al2@v20240807\`) or \`@latest\`. With \`@latest\`, Karpenter re-resolves the alias as AWS
publishes new images; when the resolved image changes, every node of the class is
**drifted** and replaced, as fast as the NodePools' disruption budgets allow. An untested image reaches the whole
fleet without a review, and a bad release cannot be held back. The CRD itself says \`latest\` is "not recommended
for production environments".

Pin the version and move the pin deliberately — through a pull request that this check reviews, first on a
canary NodePool. The same drift happens with \`name\` or \`tags\` selectors that match newly published images
(Karpenter picks the newest match); those are not flagged here.

Windows aliases (\`windows2019\`, \`windows2022\`, \`windows2025\`) are not flagged: Karpenter accepts only
\`@latest\` for them (the CRD rejects a pinned Windows alias). To control Windows image rollouts, select images by
\`id\` (with \`amiFamily\` set) and change the id deliberately.`,
  kinds: ["EC2NodeClass"],
  view: "raw",
  fields: [["object", "spec", "amiSelectorTerms"]],
  enforcement: { baseline: "warn", strict: "deny" },
  check(target) {
    return aliasTerms(target)
      .filter((t) => t.version === "latest" && t.family !== undefined && !WINDOWS_ALIAS.test(t.aliasFamily))
      .map((t) => ({
        path: t.path,
        message: `alias ${t.alias} follows every new EKS-optimized ${t.family} release, so each release drifts and replaces every node of this class without review.`,
        hint: `pin a release, e.g. ${t.aliasFamily}@${t.aliasFamily === "bottlerocket" ? "v1.20.3" : "v20240807"}, and update the pin deliberately`,
      }));
  },
});

export const amiRules = [familyAllowed, al2EndOfSupport, unpinnedAlias];
