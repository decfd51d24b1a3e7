// `fix` edits only the text of the nodes a fix changes. Each case is a file in one writing style, a patch, and the
// unified diff a reviewer should see, line by line; the result must also parse to what fast-json-patch makes of the
// parsed original, so the splice is judged by an independent implementation of RFC 6902.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { structuredPatch } from "diff";
import jsonpatch, { type Operation } from "fast-json-patch";
import { parseAllDocuments } from "yaml";
import { applyToYaml } from "../../../policies/index.ts";

interface Case {
  name: string;
  lines: string[];
  eol?: string;
  document?: number;
  patch: Operation[];
  /** The diff's hunks, each line with its `+`/`-`/` ` mark. */
  diff: string[];
}

const cases: Case[] = [
  {
    name: "kubectl-style compact list: a requirement appended at the list's own column",
    lines: [
      "spec:",
      "  template:",
      "    spec:",
      "      requirements:",
      "      - key: karpenter.sh/capacity-type",
      "        operator: In",
      "        values:",
      "        - spot",
      "      nodeClassRef: {group: karpenter.k8s.aws, kind: EC2NodeClass, name: default}",
    ],
    patch: [
      {
        op: "add",
        path: "/spec/template/spec/requirements/-",
        value: { key: "kubernetes.io/arch", operator: "In", values: ["amd64"] },
      },
    ],
    diff: [
      "@@ -6,4 +6,8 @@",
      "         operator: In",
      "         values:",
      "         - spot",
      "+      - key: kubernetes.io/arch",
      "+        operator: In",
      "+        values:",
      "+        - amd64",
      "       nodeClassRef: {group: karpenter.k8s.aws, kind: EC2NodeClass, name: default}",
    ],
  },
  {
    name: "flow sequences and flow maps stay on their line",
    lines: [
      "spec:",
      "  amiSelectorTerms: [{alias: al2023@v20240807}]",
      "  metadataOptions: {httpEndpoint: enabled, httpTokens: optional}",
      "  tags: {team: data, cost-center: '42'}",
    ],
    patch: [
      { op: "add", path: "/spec/amiSelectorTerms/-", value: { id: "ami-0123456789abcdef0" } },
      { op: "add", path: "/spec/metadataOptions/httpTokens", value: "required" },
      { op: "add", path: "/spec/tags/owner", value: "platform" },
    ],
    diff: [
      "@@ -1,4 +1,4 @@",
      " spec:",
      "-  amiSelectorTerms: [{alias: al2023@v20240807}]",
      "-  metadataOptions: {httpEndpoint: enabled, httpTokens: optional}",
      "-  tags: {team: data, cost-center: '42'}",
      "+  amiSelectorTerms: [{alias: al2023@v20240807}, {id: ami-0123456789abcdef0}]",
      "+  metadataOptions: {httpEndpoint: enabled, httpTokens: required}",
      "+  tags: {team: data, cost-center: '42', owner: platform}",
    ],
  },
  {
    name: "comments between items and blank lines stay where they are",
    lines: [
      "spec:",
      "  disruption:",
      "    budgets:",
      "      # business hours: one node at a time",
      "      - nodes: '1'",
      "        schedule: '0 9 * * mon-fri'",
      "        duration: 8h",
      "",
      "      # otherwise 10%",
      "      - nodes: 10%",
      "",
      "    consolidateAfter: 5m # settle first",
      "  limits:",
      "    cpu: 1000m",
    ],
    patch: [
      { op: "replace", path: "/spec/disruption/budgets/0/schedule", value: "0 9 * * 1-5" },
      { op: "add", path: "/spec/disruption/budgets/-", value: { nodes: "0", reasons: ["Drifted"] } },
    ],
    diff: [
      "@@ -3,11 +3,14 @@",
      "     budgets:",
      "       # business hours: one node at a time",
      "       - nodes: '1'",
      "-        schedule: '0 9 * * mon-fri'",
      "+        schedule: '0 9 * * 1-5'",
      "         duration: 8h",
      " ",
      "       # otherwise 10%",
      "       - nodes: 10%",
      '+      - nodes: "0"',
      "+        reasons:",
      "+          - Drifted",
      " ",
      "     consolidateAfter: 5m # settle first",
      "   limits:",
    ],
  },
  {
    name: "CRLF line ends are kept on changed and added lines",
    eol: "\r\n",
    lines: [
      "spec:",
      "  metadataOptions:",
      "    httpTokens: optional # legacy agent",
      "  blockDeviceMappings:",
      "    - deviceName: /dev/xvda",
      "      ebs:",
      "        volumeSize: 100Gi",
    ],
    patch: [
      { op: "add", path: "/spec/metadataOptions/httpTokens", value: "required" },
      { op: "add", path: "/spec/blockDeviceMappings/0/ebs/encrypted", value: true },
    ],
    diff: [
      "@@ -1,7 +1,8 @@",
      " spec:\r",
      "   metadataOptions:\r",
      "-    httpTokens: optional # legacy agent\r",
      "+    httpTokens: required # legacy agent\r",
      "   blockDeviceMappings:\r",
      "     - deviceName: /dev/xvda\r",
      "       ebs:\r",
      "         volumeSize: 100Gi\r",
      "+        encrypted: true\r",
    ],
  },
  {
    name: "multi-document file: only the second document changes",
    document: 1,
    lines: [
      "# pools",
      "apiVersion: karpenter.sh/v1",
      "kind: NodePool",
      "metadata: {name: a}",
      "spec:",
      "  limits: {cpu: 100}",
      "---",
      "apiVersion: karpenter.sh/v1",
      "kind: NodePool",
      "metadata: {name: b}",
      "spec:",
      "  limits: {cpu: 100}",
      "---",
      "# trailing",
    ],
    patch: [{ op: "add", path: "/spec/disruption", value: { consolidateAfter: "30s" } }],
    diff: [
      "@@ -10,5 +10,7 @@",
      " metadata: {name: b}",
      " spec:",
      "   limits: {cpu: 100}",
      "+  disruption:",
      "+    consolidateAfter: 30s",
      " ---",
      " # trailing",
    ],
  },
  {
    name: "a removed tag takes its line and only its line",
    lines: [
      "spec:",
      "  tags:",
      "    team: data",
      "    # set by the cluster",
      "    karpenter.sh/nodepool: default",
      "    owner: platform",
    ],
    patch: [{ op: "remove", path: "/spec/tags/karpenter.sh~1nodepool" }],
    diff: [
      "@@ -2,5 +2,4 @@",
      "   tags:",
      "     team: data",
      "     # set by the cluster",
      "-    karpenter.sh/nodepool: default",
      "     owner: platform",
    ],
  },
  {
    name: "a map set whole changes only the keys that differ; the others keep their comments",
    lines: ["spec:", "  limits:", "    cpu: 1000 # a thousand cores, not 1000m", "", "  weight: 10"],
    patch: [{ op: "add", path: "/spec/limits", value: { cpu: 1000, memory: "1000Gi" } }],
    diff: [
      "@@ -1,5 +1,6 @@",
      " spec:",
      "   limits:",
      "     cpu: 1000 # a thousand cores, not 1000m",
      "+    memory: 1000Gi",
      " ",
      "   weight: 10",
    ],
  },
];

describe("fix splices the changed nodes' text only", () => {
  for (const c of cases) {
    test(c.name, () => {
      const eol = c.eol ?? "\n";
      const before = c.lines.join(eol) + eol;
      const document = c.document ?? 0;
      const after = applyToYaml(before, [{ document, operations: c.patch }]);
      const hunks = structuredPatch("a", "b", before, after, undefined, undefined, { context: 3 }).hunks;
      const diff = hunks.flatMap((h) => [
        `@@ -${h.oldStart},${h.oldLines} +${h.newStart},${h.newLines} @@`,
        ...h.lines,
      ]);
      assert.deepEqual(diff, c.diff);
      const parse = (text: string) => parseAllDocuments(text, { version: "1.1" }).map((d) => d.toJS() as unknown);
      const expected = parse(before);
      expected[document] = jsonpatch.applyPatch(expected[document], structuredClone(c.patch), true, false).newDocument;
      assert.deepEqual(parse(after), expected, "the text parses to the patched object");
    });
  }
});
