// The imds family: how an EC2NodeClass exposes the instance metadata service, which serves the node role's
// credentials and the user data nodes bootstrap from.
import type { Operation } from "fast-json-patch";
import { amiFamilyOf, isRecord, type FieldPath } from "../../api/index.ts";
import { defineRule } from "../rule.ts";
import type { PolicyTarget } from "../target.ts";

const METADATA_OPTIONS: FieldPath = ["spec", "metadataOptions"];

function metadataOptions(target: PolicyTarget): Record<string, unknown> | undefined {
  const spec = target.object.spec;
  return isRecord(spec) && isRecord(spec.metadataOptions) ? spec.metadataOptions : undefined;
}

// Sets one metadataOptions field in the object as written; the field is only ever judged where it was written
// (the CRD defaults are all safe), so the parent exists whenever a finding is made.
function setOption(target: PolicyTarget, field: string, value: unknown): Operation[] | undefined {
  const spec = target.written.spec;
  if (!isRecord(spec) || !isRecord(spec.metadataOptions)) return undefined;
  return [{ op: "add", path: `/spec/metadataOptions/${field}`, value }];
}

function endpointDisabled(options: Record<string, unknown> | undefined): boolean {
  return options?.httpEndpoint === "disabled";
}

export const httpTokens = defineRule({
  id: "imds.http-tokens",
  family: "imds",
  title: "IMDSv2 is required (httpTokens: required)",
  docs: `The instance metadata service (IMDS, \`http://169.254.169.254\`) hands out temporary credentials of the node's
IAM role to whoever asks from the instance. With \`metadataOptions.httpTokens: optional\`, IMDSv1 stays on: a plain
HTTP GET is enough, so any process that can be tricked into making a request — a web application with a
server-side request forgery (SSRF) bug, an open proxy, a misconfigured webhook — leaks the node role's
credentials, and with them everything the node role may do (typically pull from the account's ECR repositories
and, with the VPC CNI policy, create and attach network interfaces). IMDSv2 requires a session token obtained with a \`PUT\` request first, which SSRF-style GETs and
most proxies cannot send.

Karpenter's default is \`httpTokens: required\` (the whole \`metadataOptions\` defaults to
\`{httpEndpoint: enabled, httpProtocolIPv6: disabled, httpPutResponseHopLimit: 1, httpTokens: required}\`), so this
finding means someone turned IMDSv1 back on. Every current AWS SDK and the EKS-optimized AMIs speak IMDSv2; if a
workload really needs the metadata service, give it IRSA or EKS Pod Identity credentials instead, and if it
needs IMDSv2 from inside a pod, see \`imds.hop-limit\`.

Fix: set \`httpTokens: required\` (or remove it to get the default). Not reported when \`httpEndpoint: disabled\`
turns the metadata service off altogether.`,
  kinds: ["EC2NodeClass"],
  view: "raw",
  fields: [
    ["object", "spec", "metadataOptions"],
    ["written", "spec", "metadataOptions"],
  ],
  enforcement: { baseline: "deny", strict: "deny" },
  check(target) {
    const options = metadataOptions(target);
    if (endpointDisabled(options) || options?.httpTokens !== "optional") return [];
    const patch = setOption(target, "httpTokens", "required");
    return [
      {
        path: [...METADATA_OPTIONS, "httpTokens"],
        message:
          "httpTokens: optional keeps IMDSv1 on, so any process on the node that can be made to send an HTTP GET (for example through a server-side request forgery bug in a pod) can read the node role's credentials.",
        hint: "set metadataOptions.httpTokens: required (Karpenter's default); give workloads IRSA or EKS Pod Identity instead of the node role",
        ...(patch ? { patch } : {}),
      },
    ];
  },
});

export const hopLimit = defineRule({
  id: "imds.hop-limit",
  family: "imds",
  title: "The IMDS hop limit keeps node credentials away from pods",
  docs: `\`metadataOptions.httpPutResponseHopLimit\` is the IP TTL of the instance metadata service's responses to the
\`PUT\` that starts an IMDSv2 session. Each network hop decrements it, and a container in its own network namespace
(every pod without \`hostNetwork: true\`) sits one hop beyond the instance. With Karpenter's default of \`1\`, only
processes on the host network can get an IMDSv2 token, so ordinary pods cannot reach the node role's credentials.
With \`2\` or more, every pod on the node can take the node's identity.

The hop limit does **not** enforce IMDSv2 — that is \`httpTokens: required\` (\`imds.http-tokens\`). With
\`httpTokens: optional\`, IMDSv1 GETs from pods succeed whatever the hop limit.

A limit of \`2\` is needed only when a pod that is not on the host network must read instance metadata itself —
typically a controller that discovers its region or VPC from IMDS (such controllers usually accept the region
and VPC as flags instead). Prefer IRSA or EKS Pod Identity for credentials and explicit
configuration for region and VPC; if a pod still needs IMDS, give it a dedicated EC2NodeClass with
\`httpPutResponseHopLimit: 2\` and exempt that class with a reason. The highest allowed value is the \`maxHopLimit\`
parameter (default 1). Not reported when \`httpEndpoint: disabled\`.`,
  kinds: ["EC2NodeClass"],
  view: "raw",
  fields: [
    ["object", "spec", "metadataOptions"],
    ["written", "spec", "metadataOptions"],
  ],
  enforcement: { baseline: "warn", strict: "deny" },
  params: {
    schema: { properties: { maxHopLimit: { type: "integer", minimum: 1, maximum: 64 } } },
    defaults: { maxHopLimit: 1 },
  },
  check(target, { params }) {
    const options = metadataOptions(target);
    const limit = options?.httpPutResponseHopLimit;
    if (endpointDisabled(options) || typeof limit !== "number" || limit <= params.maxHopLimit) return [];
    const patch = setOption(target, "httpPutResponseHopLimit", params.maxHopLimit);
    return [
      {
        path: [...METADATA_OPTIONS, "httpPutResponseHopLimit"],
        message: `httpPutResponseHopLimit ${limit} lets IMDSv2 responses reach containers in pod network namespaces, so every pod on these nodes can obtain the node role's credentials (this policy allows at most ${params.maxHopLimit}).`,
        hint: `set metadataOptions.httpPutResponseHopLimit: ${params.maxHopLimit}; give pods IRSA or EKS Pod Identity credentials instead of the node role`,
        ...(patch ? { patch } : {}),
      },
    ];
  },
});

export const endpoint = defineRule({
  id: "imds.endpoint",
  family: "imds",
  title: "The metadata endpoint stays on for AMI families Karpenter bootstraps",
  docs: `\`metadataOptions.httpEndpoint: disabled\` turns the instance metadata service off. An EC2 instance reads its
user data from that service, and the user data is how every node Karpenter launches joins the cluster: Karpenter
generates it for the \`AL2\` (\`bootstrap.sh\`), \`AL2023\` (nodeadm reads its \`NodeConfig\` from
\`imds://user-data\`), \`Bottlerocket\` (TOML settings) and Windows families. Without it the instances boot but
never register; Karpenter deletes each one when its registration timeout passes and launches another, so the
pool never gets capacity while you pay for the instances it keeps trying. Node agents such as the VPC CNI also
read the instance's network interfaces from IMDS.

The way to keep pods away from the metadata service is \`httpTokens: required\` with
\`httpPutResponseHopLimit: 1\`, not turning it off. Only an \`amiFamily: Custom\` image that is built to bootstrap
without instance metadata can run with the endpoint disabled; that case is not reported.

Fix: set \`httpEndpoint: enabled\` (Karpenter's default).`,
  kinds: ["EC2NodeClass"],
  view: "raw",
  fields: [
    ["object", "spec", "metadataOptions"],
    ["object", "spec", "amiFamily"],
    ["object", "spec", "amiSelectorTerms"],
    ["written", "spec", "metadataOptions"],
  ],
  enforcement: { baseline: "deny", strict: "deny" },
  check(target) {
    if (!endpointDisabled(metadataOptions(target))) return [];
    const family = amiFamilyOf(target.object.spec);
    if (family === undefined || family === "Custom") return [];
    const patch = setOption(target, "httpEndpoint", "enabled");
    return [
      {
        path: [...METADATA_OPTIONS, "httpEndpoint"],
        message: `httpEndpoint: disabled turns off the instance metadata service that ${family} nodes read their bootstrap user data from, so they never join the cluster and Karpenter keeps replacing them.`,
        hint: "set metadataOptions.httpEndpoint: enabled, and keep pods away from IMDS with httpTokens: required and httpPutResponseHopLimit: 1",
        ...(patch ? { patch } : {}),
      },
    ];
  },
});

export const imdsRules = [httpTokens, hopLimit, endpoint];
