import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { Ajv } from "ajv";
import ajvFormats from "ajv-formats";
import type { Finding } from "../../policies/finding.ts";
import {
  artifactUri,
  escapeCommandData,
  escapeCommandProperty,
  escapeXmlAttribute,
  escapeXmlText,
  formatPointer,
  pointerToFieldPath,
  renderReport,
  REPORT_FORMATS,
  summarize,
  type CheckReport,
  type JsonCheckReport,
  type ReportColour,
} from "../../policies/report/index.ts";
import { fixturesDir } from "../support/fixtures.ts";
import { parseXml } from "../support/parse-xml.ts";

// A pull request's check: two files with findings of every severity (one exempted, several with fixes), an
// object the webhook judged (no file), an unreadable file, a skipped document, and a comparison with a base.
const gpu = { apiVersion: "karpenter.sh/v1", kind: "NodePool", name: "gpu", source: pos("pools/gpu.yaml", 3, 1) };
const nodeClass = {
  apiVersion: "karpenter.k8s.aws/v1",
  kind: "EC2NodeClass",
  name: "default",
  source: pos("classes/default.yaml", 1, 1),
};
const webhookPool = { apiVersion: "karpenter.sh/v1", kind: "NodePool", name: "from-webhook" };

function pos(file: string, line: number, col: number) {
  return { file, line, col };
}

const findings: Finding[] = [
  {
    rule: "nodepool.taint-key",
    severity: "warn",
    object: gpu,
    pointer: "/spec/template/spec/taints/0/key",
    source: pos("pools/gpu.yaml", 24, 13),
    message: "taint key nvidia.com/gpu is not tolerated by any DaemonSet in scope",
  },
  {
    rule: "disruption.expire-after",
    severity: "deny",
    object: gpu,
    pointer: "/spec/template/spec/expireAfter",
    source: pos("pools/gpu.yaml", 17, 7),
    message: 'expireAfter "30d" is not a Go duration; Karpenter rejects the NodePool',
    hint: "write 720h",
    patch: [{ op: "replace", path: "/spec/template/spec/expireAfter", value: "720h" }],
  },
  {
    rule: "metadata.owner-label",
    severity: "audit",
    object: gpu,
    pointer: "/metadata/labels/team.example.com~1owner",
    source: pos("pools/gpu.yaml", 6, 5),
    message: "owner label is not a team in the directory",
    exemptedBy: "GPU pool is owned by the platform team until 2026-12-31",
  },
  {
    rule: "imds.http-tokens",
    severity: "deny",
    object: nodeClass,
    pointer: "/spec/metadataOptions/httpTokens",
    source: pos("classes/default.yaml", 12, 5),
    message: "httpTokens is optional: pods can read node credentials through IMDSv1",
    hint: "set spec.metadataOptions.httpTokens: required",
    patch: [{ op: "replace", path: "/spec/metadataOptions/httpTokens", value: "required" }],
  },
  {
    rule: "ami.pinned",
    severity: "audit",
    object: nodeClass,
    pointer: "/spec/amiSelectorTerms/0/alias",
    source: pos("classes/default.yaml", 9, 7),
    message: "AMI alias al2023@latest follows every release",
  },
  {
    rule: "disruption.budget-nodes",
    severity: "deny",
    object: webhookPool,
    pointer: "/spec/disruption/budgets/1/nodes",
    message: "a budget of 100% lets Karpenter drain every node at once",
    hint: "use at most 20%",
  },
];

const rules = new Map([
  [
    "disruption.expire-after",
    {
      title: "expireAfter is a duration Karpenter accepts",
      docs: "Karpenter parses `expireAfter` as a Go duration.\n\nWrite hours (`720h`), not days.",
      helpUri: "https://example.com/rules/disruption.expire-after",
    },
  ],
  ["disruption.budget-nodes", { title: "Disruption budgets are bounded", docs: "A budget of 100% drains a pool." }],
  ["imds.http-tokens", { title: "IMDSv2 is required", docs: "Require IMDSv2 tokens." }],
  ["metadata.owner-label", { title: "Pools name their owner", docs: "" }],
  ["nodepool.taint-key", { title: "Taints are tolerated", docs: "Each taint key needs a toleration." }],
  // ami.pinned is left out on purpose: a policy's own rules may come without metadata.
]);

const report: CheckReport = {
  findings,
  files: 4,
  objects: 4,
  skipped: [
    {
      file: "pools/namespace.yaml",
      line: 1,
      col: 1,
      reason: "Namespace (v1) is not a Karpenter NodePool, EC2NodeClass or NodeClaim",
    },
  ],
  errors: [{ file: "pools/broken.yaml", line: 4, col: 3, message: "bad indentation of a mapping entry" }],
  changes: [
    { kind: "NodePool", name: "system", file: "pools/system.yaml", change: "unchanged" },
    { kind: "NodePool", name: "old", file: "pools/old.yaml", change: "deleted" },
    { kind: "EC2NodeClass", name: "default", file: "classes/default.yaml", change: "new" },
    { kind: "NodePool", name: "gpu", file: "pools/gpu.yaml", change: "changed" },
  ],
  rules,
  toolVersion: "0.1.0",
  informationUri: "https://example.com/poolkeeper",
};

/** Text that every escaping rule must handle: XML specials, quotes, workflow-command delimiters, controls. */
const hostile = `<tag attr="x" other='y'> & 100% done: a, b\r\nnext line\tTAB \u0007bell \u001b[31m \ud800 ]]> ::error::no`;
/** `hostile` as the formats people read show it: its control characters as visible escapes. */
const hostileShown = `<tag attr="x" other='y'> & 100% done: a, b\\r\\nnext line\\tTAB \\x07bell \\x1b[31m \ud800 ]]> ::error::no`;

const hostileReport: CheckReport = {
  findings: [
    {
      rule: "custom.odd,rule:1",
      severity: "deny",
      object: { apiVersion: "karpenter.sh/v1", kind: "NodePool", name: "a&b", source: pos("pools/a,b: c%.yaml", 1, 1) },
      pointer: "/metadata/labels/a~1b",
      source: pos("pools/a,b: c%.yaml", 5, 3),
      message: hostile,
      hint: hostile,
    },
    {
      rule: "custom.odd,rule:1",
      severity: "warn",
      object: { apiVersion: "karpenter.sh/v1", kind: "NodePool", name: "a&b", source: pos("pools/a,b: c%.yaml", 1, 1) },
      pointer: "/spec/weight",
      source: pos("pools/a,b: c%.yaml", 7, 3),
      message: hostile,
      exemptedBy: hostile,
    },
  ],
  files: 1,
  objects: 1,
  skipped: [{ file: "x.yaml", line: 1, col: 1, reason: "line one\n::error::injected" }],
  errors: [{ file: "pools/broken <1>.yaml", line: 0, col: 0, message: hostile }],
  rules: new Map(),
  toolVersion: "0.1.0",
};

const emptyReport: CheckReport = {
  findings: [],
  files: 0,
  objects: 0,
  skipped: [],
  errors: [],
  rules: new Map(),
  toolVersion: "0.1.0",
};

describe("field paths from JSON pointers", () => {
  test("indexes in brackets, keys with dots or slashes quoted, RFC 6901 escapes decoded", () => {
    assert.deepEqual(pointerToFieldPath("/spec/template/spec/taints/0/key"), [
      "spec",
      "template",
      "spec",
      "taints",
      0,
      "key",
    ]);
    assert.equal(formatPointer("/spec/template/spec/taints/0/key"), "spec.template.spec.taints[0].key");
    assert.equal(
      formatPointer("/metadata/labels/team.example.com~1owner"),
      'metadata.labels["team.example.com/owner"]',
    );
    // "~01" is "~1" once decoded, not "/": "~1" is replaced first.
    assert.equal(formatPointer("/metadata/annotations/a~01"), 'metadata.annotations["a~1"]');
    assert.equal(formatPointer("/spec/limits/nvidia.com~1gpu"), 'spec.limits["nvidia.com/gpu"]');
    assert.equal(formatPointer(""), "<root>");
    assert.deepEqual(pointerToFieldPath("/a/01"), ["a", "01"], "a leading zero is a key, not an index");
  });
});

describe("text report", () => {
  test("grouped per object with change state, fixes and exemptions, notes and the summary", () => {
    assert.equal(
      renderReport(report, "text"),
      `EC2NodeClass/default (classes/default.yaml:1:1) [new]
  audit  classes/default.yaml:9:7  spec.amiSelectorTerms[0].alias  AMI alias al2023@latest follows every release
  deny   classes/default.yaml:12:5  spec.metadataOptions.httpTokens  httpTokens is optional: pods can read node credentials through IMDSv1
    fix: set spec.metadataOptions.httpTokens: required

NodePool/gpu (pools/gpu.yaml:3:1) [changed]
  audit  pools/gpu.yaml:6:5  metadata.labels["team.example.com/owner"]  owner label is not a team in the directory
    exempted: GPU pool is owned by the platform team until 2026-12-31
  deny   pools/gpu.yaml:17:7  spec.template.spec.expireAfter  expireAfter "30d" is not a Go duration; Karpenter rejects the NodePool
    fix: write 720h
  warn   pools/gpu.yaml:24:13  spec.template.spec.taints[0].key  taint key nvidia.com/gpu is not tolerated by any DaemonSet in scope

NodePool/old (pools/old.yaml) [deleted]

NodePool/from-webhook
  deny   spec.disruption.budgets[1].nodes  a budget of 100% lets Karpenter drain every node at once
    fix: use at most 20%

error  pools/broken.yaml:4:3  bad indentation of a mapping entry
note   pools/namespace.yaml:1:1  skipped: Namespace (v1) is not a Karpenter NodePool, EC2NodeClass or NodeClaim

3 of 4 objects denied: 3 denials, 1 warning, 2 audit (1 exempted); 4 files, 1 unreadable, 1 skipped; 2 fixable with \`poolkeeper fix\`
`,
    );
  });

  test("colours only through the style function: red deny, yellow warn, gray audit", () => {
    const style = (colour: ReportColour, text: string) => `<${colour}>${text}</${colour}>`;
    const out = renderReport(report, "text", style);
    assert.ok(out.includes("  <red>deny</red>   pools/gpu.yaml:17:7  "), out);
    assert.ok(out.includes("  <yellow>warn</yellow>   pools/gpu.yaml:24:13  "), out);
    assert.ok(out.includes("  <gray>audit</gray>  pools/gpu.yaml:6:5  "), out);
    assert.ok(out.includes("<bold>NodePool/gpu</bold> (pools/gpu.yaml:3:1) [changed]"), out);
    assert.ok(out.includes("<red>error</red>  pools/broken.yaml:4:3"), out);
    assert.ok(
      out.includes("<red>3 of 4 objects denied</red>: <red>3 denials</red>, <yellow>1 warning</yellow>, 2 audit"),
      out,
    );
    assert.ok(!renderReport(report, "text").includes("<"), "no markup without a style function");
  });

  test("a clean run is only the summary", () => {
    assert.equal(
      renderReport({ ...emptyReport, files: 1, objects: 1 }, "text"),
      "0 of 1 object denied: 0 denials, 0 warnings, 0 audit; 1 file\n",
    );
  });
});

describe("GitHub workflow commands", () => {
  test("one annotation per finding, unreadable files as errors, skipped documents and the counts as log lines", () => {
    assert.equal(
      renderReport(report, "github"),
      `::error title=disruption.budget-nodes::NodePool/from-webhook spec.disruption.budgets[1].nodes: a budget of 100%25 lets Karpenter drain every node at once%0Afix: use at most 20%25
::notice file=classes/default.yaml,line=9,col=7,title=ami.pinned::EC2NodeClass/default spec.amiSelectorTerms[0].alias: AMI alias al2023@latest follows every release
::error file=classes/default.yaml,line=12,col=5,title=imds.http-tokens::EC2NodeClass/default spec.metadataOptions.httpTokens: httpTokens is optional: pods can read node credentials through IMDSv1%0Afix: set spec.metadataOptions.httpTokens: required
::notice file=pools/gpu.yaml,line=6,col=5,title=metadata.owner-label::NodePool/gpu metadata.labels["team.example.com/owner"]: owner label is not a team in the directory%0Aexempted: GPU pool is owned by the platform team until 2026-12-31
::error file=pools/gpu.yaml,line=17,col=7,title=disruption.expire-after::NodePool/gpu spec.template.spec.expireAfter: expireAfter "30d" is not a Go duration; Karpenter rejects the NodePool%0Afix: write 720h
::warning file=pools/gpu.yaml,line=24,col=13,title=nodepool.taint-key::NodePool/gpu spec.template.spec.taints[0].key: taint key nvidia.com/gpu is not tolerated by any DaemonSet in scope
::error file=pools/broken.yaml,line=4,col=3,title=unreadable::bad indentation of a mapping entry
note: pools/namespace.yaml:1:1: skipped: Namespace (v1) is not a Karpenter NodePool, EC2NodeClass or NodeClaim
poolkeeper: 3 of 4 objects denied: 3 denials, 1 warning, 2 audit (1 exempted); 4 files, 1 unreadable, 1 skipped; 2 fixable with \`poolkeeper fix\`
`,
    );
  });

  test("escaping as actions/toolkit's command.ts: data escapes %, CR, LF; properties also : and ,", () => {
    assert.equal(escapeCommandData("100% done\r\nnext: a, b"), "100%25 done%0D%0Anext: a, b");
    assert.equal(escapeCommandProperty("100% done\r\nnext: a, b"), "100%25 done%0D%0Anext%3A a%2C b");
    // % first: an escape sequence already in the text stays text.
    assert.equal(escapeCommandData("%0A"), "%250A");
  });

  test("nothing in a message can start a command of its own", () => {
    const out = renderReport(hostileReport, "github");
    const lines = out.split("\n");
    assert.equal(lines.pop(), "", "ends with a newline");
    // Two findings, one unreadable file, one skipped note, the summary: one line each.
    assert.equal(lines.length, 5, out);
    assert.deepEqual(
      lines.map((l) => l.split(" ")[0]),
      ["::error", "::warning", "::error", "note:", "poolkeeper:"],
    );
    assert.equal(
      lines[0],
      "::error file=pools/a%2Cb%3A c%25.yaml,line=5,col=3,title=custom.odd%2Crule%3A1::" +
        escapeCommandData(`NodePool/a&b metadata.labels["a/b"]: ${hostileShown}\nfix: ${hostileShown}`),
    );
    assert.equal(lines[2], `::error file=pools/broken <1>.yaml,title=unreadable::${escapeCommandData(hostileShown)}`);
    assert.equal(lines[3], "note: x.yaml:1:1: skipped: line one\\n::error::injected");
  });
});

describe("JSON report", () => {
  test("round-trips: the report's data, findings as the engine made them, in report order", () => {
    const json = JSON.parse(renderReport(report, "json")) as JsonCheckReport;
    assert.equal(json.version, 1);
    assert.deepEqual(json.tool, { name: "poolkeeper", version: "0.1.0" });
    assert.equal(json.files, 4);
    assert.equal(json.objects, 4);
    assert.deepEqual(json.summary, summarize(report));
    assert.deepEqual(json.summary, {
      deniedObjects: 3,
      deny: 3,
      warn: 1,
      audit: 2,
      exempted: 1,
      fixable: 2,
      unreadable: 1,
      skipped: 1,
    });
    assert.deepEqual(
      json.findings,
      [
        findings[5], // no file sorts first, as compareFindings orders
        findings[4],
        findings[3],
        findings[2],
        findings[1],
        findings[0],
      ].map((f) => JSON.parse(JSON.stringify(f))),
    );
    assert.deepEqual(json.skipped, report.skipped);
    assert.deepEqual(json.errors, report.errors);
    assert.deepEqual(
      json.changes?.map((c) => `${c.kind}/${c.name} ${c.change}`),
      ["EC2NodeClass/default new", "NodePool/gpu changed", "NodePool/old deleted", "NodePool/system unchanged"],
    );
    assert.deepEqual(Object.keys(json.rules), [
      "disruption.budget-nodes",
      "disruption.expire-after",
      "imds.http-tokens",
      "metadata.owner-label",
      "nodepool.taint-key",
    ]);
    assert.deepEqual(json.rules["disruption.expire-after"], rules.get("disruption.expire-after"));
  });

  test("no changes key without --base", () => {
    const json = JSON.parse(renderReport({ ...report, changes: undefined }, "json")) as JsonCheckReport;
    assert.ok(!("changes" in json));
  });
});

describe("SARIF", () => {
  // The OASIS schema is draft-07 ($schema http://json-schema.org/draft-07/schema#): ajv's default build.
  const schema = JSON.parse(readFileSync(join(fixturesDir, "sarif", "sarif-schema-2.1.0.json"), "utf8")) as Record<
    string,
    unknown
  >;
  const ajv = new Ajv({ allErrors: true });
  ajvFormats.default(ajv);
  const validate = ajv.compile(schema);
  const assertValid = (text: string) => {
    const log: unknown = JSON.parse(text);
    assert.ok(validate(log), JSON.stringify(validate.errors, null, 2));
  };

  test("the schema is the draft-07 OASIS 2.1.0 schema and rejects what it should", () => {
    assert.equal(schema.$schema, "http://json-schema.org/draft-07/schema#");
    assert.ok(
      !validate({ version: "2.1.0", runs: [{ tool: { driver: { name: "x" } }, results: [{ level: "deny" }] }] }),
    );
    assert.ok(!validate({ version: "2.1.0" }), "runs is required");
  });

  test("valid against the schema: the full report, hostile strings, an empty run", () => {
    assertValid(renderReport(report, "sarif"));
    assertValid(renderReport(hostileReport, "sarif"));
    assertValid(renderReport(emptyReport, "sarif"));
  });

  test("results, rules, suppressions and notifications carry the report", () => {
    const log = JSON.parse(renderReport(report, "sarif"));
    assert.equal(log.version, "2.1.0");
    assert.equal(log.runs.length, 1);
    const [run] = log.runs;
    assert.equal(run.tool.driver.name, "poolkeeper");
    assert.equal(run.tool.driver.version, "0.1.0");
    assert.equal(run.tool.driver.informationUri, "https://example.com/poolkeeper");

    const ruleIds = run.tool.driver.rules.map((r: { id: string }) => r.id);
    assert.deepEqual(ruleIds, [
      "ami.pinned",
      "disruption.budget-nodes",
      "disruption.expire-after",
      "imds.http-tokens",
      "metadata.owner-label",
      "nodepool.taint-key",
    ]);
    assert.deepEqual(run.tool.driver.rules[0], { id: "ami.pinned", shortDescription: { text: "ami.pinned" } });
    assert.deepEqual(run.tool.driver.rules[2], {
      id: "disruption.expire-after",
      shortDescription: { text: "expireAfter is a duration Karpenter accepts" },
      fullDescription: { text: "Karpenter parses `expireAfter` as a Go duration." },
      help: {
        text: "Karpenter parses `expireAfter` as a Go duration.\n\nWrite hours (`720h`), not days.",
        markdown: "Karpenter parses `expireAfter` as a Go duration.\n\nWrite hours (`720h`), not days.",
      },
      helpUri: "https://example.com/rules/disruption.expire-after",
    });

    assert.equal(run.results.length, 6);
    for (const result of run.results) assert.equal(ruleIds[result.ruleIndex], result.ruleId);
    assert.deepEqual(
      run.results.map((r: { level: string }) => r.level),
      ["error", "note", "error", "note", "error", "warning"],
    );

    const expire = run.results.find((r: { ruleId: string }) => r.ruleId === "disruption.expire-after");
    assert.deepEqual(expire.message, {
      text: 'expireAfter "30d" is not a Go duration; Karpenter rejects the NodePool\nfix: write 720h',
    });
    assert.deepEqual(expire.locations, [
      {
        physicalLocation: { artifactLocation: { uri: "pools/gpu.yaml" }, region: { startLine: 17, startColumn: 7 } },
        logicalLocations: [
          { name: "NodePool/gpu", fullyQualifiedName: "NodePool/gpu", kind: "resource" },
          {
            name: "spec.template.spec.expireAfter",
            fullyQualifiedName: "NodePool/gpu spec.template.spec.expireAfter",
            kind: "property",
          },
        ],
      },
    ]);
    assert.equal(expire.properties.objectChange, "changed");
    assert.deepEqual(expire.properties.patch, findings[1]?.patch);
    assert.equal(expire.suppressions, undefined);

    const exempted = run.results.find((r: { ruleId: string }) => r.ruleId === "metadata.owner-label");
    assert.deepEqual(exempted.suppressions, [
      { kind: "external", state: "accepted", justification: "GPU pool is owned by the platform team until 2026-12-31" },
    ]);

    const fromWebhook = run.results.find((r: { ruleId: string }) => r.ruleId === "disruption.budget-nodes");
    assert.equal(fromWebhook.locations[0].physicalLocation, undefined, "no file, no physical location");
    assert.equal(fromWebhook.locations[0].logicalLocations[0].fullyQualifiedName, "NodePool/from-webhook");

    const [invocation] = run.invocations;
    assert.equal(invocation.executionSuccessful, false, "a file could not be read");
    assert.deepEqual(invocation.toolExecutionNotifications, [
      {
        level: "error",
        message: { text: "bad indentation of a mapping entry" },
        locations: [
          {
            physicalLocation: {
              artifactLocation: { uri: "pools/broken.yaml" },
              region: { startLine: 4, startColumn: 3 },
            },
          },
        ],
      },
      {
        level: "note",
        message: { text: "skipped: Namespace (v1) is not a Karpenter NodePool, EC2NodeClass or NodeClaim" },
        locations: [
          {
            physicalLocation: {
              artifactLocation: { uri: "pools/namespace.yaml" },
              region: { startLine: 1, startColumn: 1 },
            },
          },
        ],
      },
    ]);
  });

  test("artifact URIs: relative with forward slashes, each segment percent-encoded, absolute as file: URIs", () => {
    assert.equal(artifactUri("pools/gpu.yaml"), "pools/gpu.yaml");
    assert.equal(artifactUri("./pools/gpu.yaml"), "pools/gpu.yaml");
    assert.equal(artifactUri("pools\\gpu.yaml"), "pools/gpu.yaml");
    assert.equal(artifactUri("pools/a b#1.yaml"), "pools/a%20b%231.yaml");
    assert.equal(artifactUri("a:b.yaml"), "a%3Ab.yaml", "a colon would read as a scheme");
    assert.equal(artifactUri("/repo/pools/gpu.yaml"), "file:///repo/pools/gpu.yaml");
    assert.equal(artifactUri("C:\\repo\\gpu.yaml"), "file:///C:/repo/gpu.yaml");
  });
});

describe("JUnit XML", () => {
  test("well-formed; one case per object, deny fails it, warnings only shown, unreadable files are errors", () => {
    const doc = parseXml(renderReport(report, "junit"));
    assert.equal(doc.name, "testsuites");
    assert.deepEqual(doc.attributes, { name: "poolkeeper", tests: "5", failures: "3", errors: "1", skipped: "0" });
    const [suite] = doc.children;
    assert.ok(suite);
    assert.equal(suite.name, "testsuite");
    assert.deepEqual(suite.attributes, { name: "poolkeeper", tests: "5", failures: "3", errors: "1", skipped: "0" });

    const cases = suite.children.filter((c) => c.name === "testcase");
    assert.deepEqual(
      cases.map((c) => `${c.attributes.classname} ${c.attributes.name}`),
      [
        "classes/default.yaml EC2NodeClass/default",
        "pools/gpu.yaml NodePool/gpu",
        "pools/system.yaml NodePool/system", // unchanged against the base: a passing case
        "poolkeeper NodePool/from-webhook",
        "pools/broken.yaml pools/broken.yaml:4:3",
      ],
    );
    const failures = cases.flatMap((c) => c.children.filter((e) => e.name === "failure"));
    assert.equal(failures.length, 3, "the two files' objects and the webhook's");
    assert.equal(cases[2]?.children.length, 0, "an unchanged object without findings passes");

    const gpuCase = cases[1];
    assert.ok(gpuCase);
    assert.deepEqual(
      gpuCase.children.map((c) => c.name),
      ["failure", "system-out"],
    );
    const [failure, out] = gpuCase.children;
    assert.deepEqual(failure?.attributes, {
      message: 'expireAfter "30d" is not a Go duration; Karpenter rejects the NodePool',
      type: "disruption.expire-after",
    });
    assert.equal(
      failure?.text,
      'deny  pools/gpu.yaml:17:7  spec.template.spec.expireAfter  [disruption.expire-after]\nexpireAfter "30d" is not a Go duration; Karpenter rejects the NodePool\nfix: write 720h',
    );
    assert.match(out?.text ?? "", /^warn {2}pools\/gpu\.yaml:24:13 {2}spec\.template\.spec\.taints\[0\]\.key/m);
    assert.match(out?.text ?? "", /^exempted: GPU pool is owned by the platform team until 2026-12-31$/m);

    const error = cases[4]?.children[0];
    assert.equal(error?.name, "error");
    assert.deepEqual(error?.attributes, { message: "bad indentation of a mapping entry", type: "unreadable" });

    const suiteOut = suite.children.find((c) => c.name === "system-out");
    assert.match(suiteOut?.text ?? "", /^note {2}pools\/namespace\.yaml:1:1 {2}skipped: Namespace/);
  });

  test("escaping: <, &, quotes, CR, tabs and newlines survive; characters XML cannot carry become U+FFFD", () => {
    const xml = renderReport(hostileReport, "junit");
    const doc = parseXml(xml);
    const [suite] = doc.children;
    const cases = suite?.children.filter((c) => c.name === "testcase") ?? [];
    assert.equal(cases.length, 2);
    assert.equal(cases[0]?.attributes.name, "NodePool/a&b");
    assert.equal(cases[0]?.attributes.classname, "pools/a,b: c%.yaml");
    const readable = hostile.replace("\u0007", "\uFFFD").replace("\u001b", "\uFFFD").replace("\ud800", "\uFFFD");
    const failure = cases[0]?.children.find((c) => c.name === "failure");
    assert.equal(failure?.attributes.message, readable, "attribute values keep CR, LF and tab");
    assert.equal(failure?.attributes.type, "custom.odd,rule:1");
    assert.ok(failure?.text.includes(`\n${readable}\nfix: ${readable}`), failure?.text);
    const error = cases[1]?.children[0];
    assert.equal(error?.attributes.message, readable);
    assert.equal(cases[1]?.attributes.name, "pools/broken <1>.yaml", "no position for a whole-file error");
  });

  test("escape functions", () => {
    assert.equal(escapeXmlText(`a<b>&"c"`), `a&lt;b&gt;&amp;"c"`);
    assert.equal(escapeXmlAttribute(`a<b>&"c"'d'\n\t\r`), "a&lt;b&gt;&amp;&quot;c&quot;&apos;d&apos;&#10;&#9;&#13;");
    assert.equal(escapeXmlText("\u0000\u0008\u000b\u000c\u001f\ufffe\uffff"), "\uFFFD".repeat(7));
    assert.equal(escapeXmlText("\ud83d\ude00 \udc00"), "\ud83d\ude00 \uFFFD", "a pair is kept, a lone half replaced");
  });

  test("an empty run is a well-formed empty suite", () => {
    const doc = parseXml(renderReport(emptyReport, "junit"));
    assert.equal(doc.attributes.tests, "0");
  });
});

test("every format is deterministic: the order findings arrive in does not matter", () => {
  const shuffled: CheckReport = {
    ...report,
    findings: [...findings].reverse(),
    skipped: [...report.skipped].reverse(),
    errors: [...report.errors].reverse(),
    changes: [...(report.changes ?? [])].reverse(),
  };
  for (const format of REPORT_FORMATS) {
    assert.equal(renderReport(shuffled, format), renderReport(report, format), format);
  }
});
