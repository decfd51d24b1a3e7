// The api family: whether the API server would accept the object's version at all. Karpenter 1.1 and later
// serve only karpenter.sh/v1 and karpenter.k8s.aws/v1 (the v1beta1 versions were removed from the CRDs; see
// Karpenter's v1 migration guide), so a manifest in an older version cannot be applied. poolkeeper converts it to
// judge it; this rule says, once per object, that it must be rewritten before it can be applied.
import { defineRule } from "../rule.ts";

export const deprecatedVersion = defineRule({
  id: "api.deprecated-version",
  family: "api",
  title: "Written in the API version Karpenter serves",
  docs: `Karpenter 1.1 and later serve only \`karpenter.sh/v1\` (NodePool) and \`karpenter.k8s.aws/v1\` (EC2NodeClass).
A \`v1beta1\` NodePool or EC2NodeClass, or a \`v1alpha5\` Provisioner, is rejected by the API server ("no matches for
kind … in version …"): it cannot be applied, so it is denied, once per object. poolkeeper still judges it in its
converted v1 shape, so the other findings are those of what it would become; \`schema.older-shape\` lists every change
the conversion made, and \`poolkeeper check --format json\` contains the converted object (\`converted\`).

A policy may lower this rule to \`warn\` where poolkeeper itself applies the converted objects (its Git gate and
controller convert older shapes before applying them).

Fix: \`poolkeeper fix\` rewrites the manifest in v1 in place, changing only the fields the conversion changes: comments
stay on the fields that survive, and a field v1 has no place for leaves a comment saying where it belongs.`,
  kinds: ["NodePool", "EC2NodeClass"],
  view: "raw",
  fields: [["converted"], ["writtenAs"], ["conversion"], ["object", "apiVersion"]],
  enforcement: { baseline: "deny", strict: "deny" },
  check(target) {
    const written = target.writtenAs;
    if (!target.converted || written === undefined) return [];
    const served = String(target.object.apiVersion);
    const changes = target.conversion.length;
    return [
      {
        path: ["apiVersion"],
        message: `${written.apiVersion} ${written.kind} is not served by Karpenter 1.1 and later, which serve only ${served} ${target.kind}: the API server rejects it. Converted to v1, ${changes} field${changes === 1 ? "" : "s"} change (schema.older-shape lists each); \`poolkeeper fix\` rewrites it`,
        hint: `run \`poolkeeper fix\` to rewrite it as ${served} ${target.kind} in place (comments kept; see the diff with --dry-run); the converted object is also in \`poolkeeper check --format json\` (\`converted\`)`,
      },
    ];
  },
});

export const apiRules = [deprecatedVersion];
