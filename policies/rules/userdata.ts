// The userdata family: an EC2NodeClass's `spec.userData`, which Karpenter puts into every launch template of the
// class (merged with its own bootstrap part for the EKS-optimized families), so every node receives it.
import { amiFamilyOf, isRecord } from "../../api/index.ts";
import { defineRule, type Violation } from "../rule.ts";
import type { PolicyTarget } from "../target.ts";

const kinds = ["EC2NodeClass"] as const;

/** EC2's limit on user data, in raw bytes before base64 (EC2 User Guide, "Work with instance user data"). */
export const EC2_USER_DATA_LIMIT = 16 * 1024;

function userData(target: PolicyTarget): string | undefined {
  const spec = target.object.spec;
  return isRecord(spec) && typeof spec.userData === "string" ? spec.userData : undefined;
}

interface SecretPattern {
  /** Said in the finding instead of the secret. */
  kind: string;
  find(line: string): string | undefined;
}

const regexPattern = (kind: string, re: RegExp, keep: (m: RegExpExecArray) => boolean = () => true): SecretPattern => ({
  kind,
  find(line) {
    const m = re.exec(line);
    return m && keep(m) ? kind : undefined;
  },
});

// A key that names a credential, then `=` or `:`, then a literal value. The key must end with the credential word
// (`DB_PASSWORD`, `api-key`, `"token"`), so `token-ttl-seconds: 21600` or `secret_name=x` are not credentials.
// The key starts where a run of key characters starts (the lookbehind): starting inside a run as well, after each
// `.` or `-`, found the same keys in time quadratic in the run's length (a 20,000-character line took a second).
export const ASSIGNMENT =
  /(?<![A-Za-z0-9_.-])([A-Za-z0-9_.-]*(?:password|passwd|pwd|secret|token|api[_-]?key|access[_-]?key|private[_-]?key))["']?\s*[=:]\s*(["']?)([^\s"'#;&|,)]+)\2/i;

// Values that are references or placeholders, not credentials: shell and template variables, command output,
// booleans, and obvious fill-me-ins.
function isLiteralSecret(value: string): boolean {
  if (value.length < 4) return false;
  if (/^[$`<{%(\\/]/.test(value)) return false;
  if (/^(true|false|null|none|yes|no|required|optional|enabled|disabled)$/i.test(value)) return false;
  if (/^(.)\1+$/.test(value)) return false;
  return !/example|placeholder|replace|changeme|redacted/i.test(value);
}

const SECRET_PATTERNS: readonly SecretPattern[] = [
  regexPattern("a private key", /-----BEGIN [A-Z0-9 ]*PRIVATE KEY( BLOCK)?-----/),
  regexPattern(
    "an AWS access key id",
    /(?<![A-Z0-9])(?:AKIA|ASIA)[A-Z0-9]{16}(?![A-Z0-9])/,
    // AWS's documentation key (AKIAIOSFODNN7EXAMPLE) is not a credential.
    (m) => !m[0].endsWith("EXAMPLE"),
  ),
  regexPattern(
    "an AWS secret access key",
    /aws_secret_access_key["']?\s*[=:]\s*["']?([A-Za-z0-9/+]{40})(?![A-Za-z0-9/+])/i,
    (m) => isLiteralSecret(m[1] ?? ""),
  ),
  regexPattern("a GitHub token", /\b(?:gh[pousr]_[A-Za-z0-9]{36,}|github_pat_[A-Za-z0-9_]{22,})/),
  regexPattern("a GitLab token", /\bglpat-[A-Za-z0-9_-]{20,}/),
  regexPattern("a Slack token", /\bxox[abposr]-[A-Za-z0-9-]{10,}/),
  {
    kind: "a literal credential",
    find(line) {
      const m = ASSIGNMENT.exec(line);
      return m && isLiteralSecret(m[3] ?? "") ? `a literal value for ${m[1] ?? "a credential"}` : undefined;
    },
  },
];

export const secrets = defineRule({
  id: "userdata.secrets",
  family: "userdata",
  title: "spec.userData holds no credentials",
  docs: `User data is not a secret store. Whatever \`spec.userData\` holds can be read by anyone who can read the
EC2NodeClass (a cluster-scoped object, often readable by every engineer and by CI), by anyone with
\`ec2:DescribeInstanceAttribute\` on the instances or \`ec2:DescribeLaunchTemplateVersions\` on Karpenter's launch
templates, and from inside every node at \`http://169.254.169.254/latest/user-data\` — by any process on the node,
and by pods whenever IMDS is reachable from them. It also lands in Git history.

Reported, one finding per line, without repeating the secret: private keys (\`-----BEGIN … PRIVATE KEY-----\`), AWS
access key ids (\`AKIA…\`, \`ASIA…\`), \`aws_secret_access_key\` values, GitHub, GitLab and Slack tokens, and literal
values assigned to keys ending in \`password\`, \`passwd\`, \`pwd\`, \`secret\`, \`token\`, \`api_key\`, \`access_key\` or
\`private_key\` (\`DB_PASSWORD=…\`, \`token: …\`). Variable references (\`$TOKEN\`, \`\${X}\`, \`$(cmd)\`), templates
(\`{{ … }}\`) and obvious placeholders are not.

Fix: fetch the secret at boot from AWS Secrets Manager or SSM Parameter Store with the node role (grant it only
that secret), or use a credential that needs no secret (the node role, IRSA or EKS Pod Identity for pods).
**Rotate the exposed credential**: removing it from the manifest does not remove it from Git history or from
launch templates and instances that already have it.`,
  kinds,
  view: "raw",
  fields: [["object", "spec", "userData"]],
  enforcement: { baseline: "deny", strict: "deny" },
  check(target) {
    const text = userData(target);
    if (text === undefined) return [];
    const out: Violation[] = [];
    text.split(/\r?\n/).forEach((line, i) => {
      for (const pattern of SECRET_PATTERNS) {
        const what = pattern.find(line);
        if (what === undefined) continue;
        out.push({
          path: ["spec", "userData"],
          message: `line ${i + 1} of spec.userData holds ${what}, which anyone who can read this EC2NodeClass, describe its instances or reach a node's instance metadata can read.`,
          hint: "fetch the secret at boot from Secrets Manager or SSM Parameter Store with the node role, and rotate the exposed one",
        });
        break;
      }
    });
    return out;
  },
});

function byteLength(text: string): number {
  return new TextEncoder().encode(text).length;
}

export const size = defineRule({
  id: "userdata.size",
  family: "userdata",
  title: "spec.userData fits EC2's 16 KB user data limit",
  docs: `EC2 limits user data to 16 KB (16,384 bytes) in raw form, before base64 encoding (EC2 User Guide, "Work with
instance user data"). The size counted here is the UTF-8 byte length of \`spec.userData\` as written; Karpenter
base64-encodes it into each launch template, and EC2 rejects the launch template or the launch, so **no node of
this class starts**.

Karpenter also adds its own bootstrap part for every family but \`Custom\` (see \`userdata.size-headroom\`), so a class
whose own user data is just under the limit still fails.

Fix: keep user data small — download scripts and files at boot (S3, SSM, a container image), or bake them into a
custom AMI.`,
  kinds,
  view: "raw",
  fields: [["object", "spec", "userData"]],
  enforcement: { baseline: "deny", strict: "deny" },
  check(target) {
    const text = userData(target);
    if (text === undefined) return [];
    const bytes = byteLength(text);
    if (bytes <= EC2_USER_DATA_LIMIT) return [];
    return [
      {
        path: ["spec", "userData"],
        message: `spec.userData is ${bytes} bytes, over EC2's ${EC2_USER_DATA_LIMIT}-byte (16 KB) user data limit, so no node of this EC2NodeClass can launch.`,
        hint: "download large scripts or files at boot (S3, SSM) or bake them into the AMI",
      },
    ];
  },
});

export const sizeHeadroom = defineRule<{ maxBytes: number }>({
  id: "userdata.size-headroom",
  family: "userdata",
  title: "spec.userData leaves room for the bootstrap part Karpenter merges into it",
  docs: `For every AMI family but \`Custom\`, Karpenter merges its own bootstrap into \`spec.userData\` before the 16 KB EC2
limit applies: for AL2 and AL2023 it wraps your user data as a MIME part and adds a part that bootstraps the node
(AL2023: a NodeConfig with the cluster endpoint, its CA certificate, kubelet settings and the node's labels and
taints as flags); for Bottlerocket it merges its settings into your TOML; for Windows it appends the bootstrap
command. That part is typically a few kilobytes and grows with the labels and taints of the NodePool, so user data
close to the limit makes launches fail for some pools and not others.

The finding is raised above \`maxBytes\` (default 14 KiB, leaving 2 KiB for Karpenter's part). \`Custom\` classes are
not checked: Karpenter passes their user data unchanged.

Fix: as for \`userdata.size\` — move content out of user data.`,
  kinds,
  view: "raw",
  fields: [
    ["object", "spec", "amiFamily"],
    ["object", "spec", "amiSelectorTerms"],
    ["object", "spec", "userData"],
  ],
  enforcement: { baseline: "warn", strict: "deny" },
  params: {
    schema: { properties: { maxBytes: { type: "integer", minimum: 0, maximum: EC2_USER_DATA_LIMIT } } },
    defaults: { maxBytes: 14 * 1024 },
  },
  check(target, { params }) {
    const text = userData(target);
    if (text === undefined) return [];
    const family = amiFamilyOf(target.object.spec);
    if (family === "Custom") return [];
    const bytes = byteLength(text);
    // Over the hard limit is userdata.size's finding.
    if (bytes <= params.maxBytes || bytes > EC2_USER_DATA_LIMIT) return [];
    return [
      {
        path: ["spec", "userData"],
        message: `spec.userData is ${bytes} bytes, more than the ${params.maxBytes} bytes that leave room under EC2's 16 KB limit for the bootstrap part Karpenter merges in${family ? ` for ${family}` : ""}, and launches fail once the merged user data exceeds the limit.`,
        hint: `keep spec.userData under ${params.maxBytes} bytes: download large scripts or files at boot, or bake them into the AMI`,
      },
    ];
  },
});

export const userdataRules = [secrets, size, sizeHeadroom];
