// Status files and commit messages: deterministic rendering, budget windows in plain words, Markdown escaping,
// trailers that round-trip and cannot be injected, and no finding message in a commit message.
import { test } from "node:test";
import assert from "node:assert/strict";
import { parse } from "yaml";
import type { NodePool } from "../../api/types.ts";
import type { Finding } from "../../policies/finding.ts";
import {
  commitMessage,
  parseTrailers,
  renderStatusFiles,
  summarizePool,
  type StatusEvent,
  type StatusModel,
} from "../../gitops/status-render.ts";

function nodePool(name: string, extra: Partial<NodePool["spec"]> = {}): NodePool {
  return {
    apiVersion: "karpenter.sh/v1",
    kind: "NodePool",
    metadata: { name },
    spec: {
      template: {
        spec: {
          nodeClassRef: { group: "karpenter.k8s.aws", kind: "EC2NodeClass", name: "default" },
          expireAfter: "720h",
          requirements: [
            { key: "karpenter.k8s.aws/instance-category", operator: "In", values: ["r", "c", "m"] },
            { key: "karpenter.sh/capacity-type", operator: "In", values: ["spot", "on-demand"] },
          ],
        },
      },
      disruption: { consolidationPolicy: "WhenEmptyOrUnderutilized", consolidateAfter: "1m" },
      limits: { cpu: "1000", memory: "1000Gi" },
      ...extra,
    },
  };
}

const WARNING: Finding = {
  rule: "limits.missing-nodes",
  severity: "warn",
  object: { apiVersion: "karpenter.sh/v1", kind: "NodePool", name: "general" },
  pointer: "/spec/limits",
  message: "The NodePool has no node limit.",
};

const SECRET: Finding = {
  rule: "userdata.secret",
  severity: "deny",
  object: { apiVersion: "karpenter.k8s.aws/v1", kind: "EC2NodeClass", name: "default" },
  pointer: "/spec/userData",
  message: "userData contains AWS_SECRET_ACCESS_KEY=hunter2",
};

const EVENTS: StatusEvent[] = [
  { time: "2025-03-01T10:00:00Z", kind: "accepted", reason: "source passed the gate", sourceSha: "1a2b3c4d5e" },
  { time: "2025-03-01T10:05:00Z", kind: "provisioned", pool: "general", node: "ip-10-0-0-1", reason: "pending pods" },
  { time: "2025-03-01T10:05:00Z", kind: "provisioned", pool: "batch", node: "ip-10-0-0-2", reason: "pending pods" },
  { time: "2025-03-01T11:00:00Z", kind: "drifted", pool: "general", node: "ip-10-0-0-1", reason: "AMI changed" },
];

function model(): StatusModel {
  const general = summarizePool(
    nodePool("general", {
      disruption: {
        consolidateAfter: "5m",
        budgets: [{ nodes: "0", schedule: "0 9 * * mon-fri", duration: "12h" }, { nodes: "10%" }],
      },
    }),
  );
  general.nodes = {
    byInstanceType: { "m5.large": 2, "c5.xlarge": 1 },
    byZone: { "eu-west-1b": 1, "eu-west-1a": 2 },
    byCapacityType: { spot: 2, "on-demand": 1 },
  };
  general.usage = { cpu: "8", memory: "32Gi" };
  general.hourlyCostUsd = 0.4567;
  general.drift = { drifted: 1, total: 3 };
  return {
    cluster: "eu-1",
    source: { sha: "1a2b3c4d5e6f", accepted: true, findings: [WARNING] },
    pools: [general, summarizePool(nodePool("batch", { weight: 10 }))],
    events: EVENTS,
  };
}

function shuffled(m: StatusModel): StatusModel {
  return {
    ...m,
    pools: [...m.pools].reverse().map((p) => ({
      ...p,
      requirements: [...p.requirements].reverse(),
      budgets: [...p.budgets].reverse(),
      nodes:
        p.nodes === undefined
          ? undefined
          : {
              byCapacityType: reverseKeys(p.nodes.byCapacityType),
              byZone: reverseKeys(p.nodes.byZone),
              byInstanceType: reverseKeys(p.nodes.byInstanceType),
            },
    })),
    events: [...m.events].reverse(),
    source: { ...m.source, findings: [...m.source.findings].reverse() },
  };
}

function reverseKeys(record: Record<string, number>): Record<string, number> {
  return Object.fromEntries(Object.entries(record).reverse());
}

test("summarizePool: spec summary with defaults and plain words", () => {
  const pool = summarizePool(nodePool("general"));
  assert.equal(pool.nodeClass, "EC2NodeClass/default");
  assert.deepEqual(pool.requirements, ["capacity-type In [on-demand, spot]", "instance-category In [c, m, r]"]);
  assert.deepEqual(pool.budgets, [{ nodes: "10%", reasons: [], window: "always" }]);
  assert.equal(pool.expireAfter, "30 days");
  assert.deepEqual(pool.consolidation, { policy: "WhenEmptyOrUnderutilized", after: "1 minute" });
  assert.deepEqual(pool.limits, { cpu: "1000", memory: "1000Gi" });
  assert.equal(pool.weight, undefined);
});

test("rendering is deterministic: twice, and from shuffled input, byte-identical", () => {
  const first = renderStatusFiles(model());
  const second = renderStatusFiles(model());
  const third = renderStatusFiles(shuffled(model()));
  assert.deepEqual([...first.keys()], ["batch.yaml", "general.yaml", "summary.md"]);
  assert.deepEqual([...second.entries()], [...first.entries()]);
  assert.deepEqual([...third.entries()], [...first.entries()]);
});

test("budget windows appear in plain words in the pool file and the summary", () => {
  const files = renderStatusFiles(model());
  const general = parse(files.get("general.yaml") ?? "") as { pool: { budgets: { window: string }[] } };
  const windows = general.pool.budgets.map((b) => b.window);
  assert.ok(windows.includes("Mon–Fri 09:00–21:00 UTC"), windows.join(", "));
  assert.ok(windows.includes("always"));
  const summary = files.get("summary.md") ?? "";
  assert.match(summary, /0: Mon–Fri 09:00–21:00 UTC/);
  assert.match(
    summary,
    /\| general \| EC2NodeClass\/default \| 3 \| 8 \/ 1000 \| 32Gi \/ 1000Gi \| \$0\.46\/h \| 1\/3 drifted \|/,
  );
});

test("pool file: counts by sorted key, findings without messages, the pool's events newest first", () => {
  const text = renderStatusFiles(model()).get("general.yaml") ?? "";
  assert.ok(!text.includes(WARNING.message));
  const doc = parse(text) as Record<string, unknown> & {
    pool: { nodes: { byZone: Record<string, number> } };
    events: StatusEvent[];
  };
  assert.deepEqual(Object.keys(doc.pool.nodes.byZone), ["eu-west-1a", "eu-west-1b"]);
  assert.deepEqual(
    doc.events.map((e) => e.kind),
    ["drifted", "provisioned"],
  );
  assert.deepEqual(doc["findings"], [{ pointer: "/spec/limits", rule: "limits.missing-nodes", severity: "warn" }]);
});

test("summary escapes | and line breaks in table cells", () => {
  const m = model();
  const first = m.pools[0];
  assert.ok(first);
  m.pools = [{ ...first, name: "a|b\nc" }];
  m.events = [{ time: "2025-03-01T10:00:00Z", kind: "drained", pool: "a|b", reason: "x | y\n| z" }];
  const summary = renderStatusFiles(m).get("summary.md") ?? "";
  assert.match(summary, /\| a\\\|b c \|/);
  assert.match(summary, /\| x \\\| y \\\| z \|/);
  const rows = summary.split("\n").filter((line) => line.startsWith("| a"));
  assert.equal(rows.length, 1);
  assert.ok(renderStatusFiles(m).has("a_b_c.yaml"));
});

test("summary: source, finding counts and at most 20 events, newest first", () => {
  const m = model();
  m.events = Array.from({ length: 25 }, (_, i) => ({
    time: new Date(Date.UTC(2025, 0, 1, 0, i)).toISOString(),
    kind: "consolidated" as const,
    pool: "general",
    reason: `event ${i}`,
  }));
  const summary = renderStatusFiles(m).get("summary.md") ?? "";
  assert.match(summary, /Accepted source: `1a2b3c4d5e6f`/);
  assert.match(summary, /Findings: 0 deny, 1 warn, 0 audit/);
  const reasons = [...summary.matchAll(/event (\d+)/g)].map((x) => Number(x[1]));
  assert.deepEqual(
    reasons,
    Array.from({ length: 20 }, (_, i) => 24 - i),
  );
});

test("empty model renders a valid summary", () => {
  const files = renderStatusFiles({
    cluster: "eu-1",
    source: { sha: "", accepted: true, findings: [] },
    pools: [],
    events: [],
  });
  assert.deepEqual([...files.keys()], ["summary.md"]);
  const summary = files.get("summary.md") ?? "";
  assert.match(summary, /^# Poolkeeper status: eu-1\n/);
  assert.match(summary, /Accepted source: none yet/);
  assert.match(summary, /No NodePools\./);
  assert.match(summary, /No events\./);
  assert.ok(summary.endsWith("\n"));
});

test("accepted commit: subject and trailers round-trip through parseTrailers", () => {
  const m = model();
  const message = commitMessage(m, EVENTS, { cluster: "eu-1" });
  const [subject] = message.split("\n");
  assert.equal(subject, "status(eu-1): accepted 1a2b3c4 — 2 pools, 1 warning");
  assert.match(message, /\n\nPoolkeeper-Cluster: eu-1\nPoolkeeper-Source: 1a2b3c4d5e6f\n/);
  assert.match(message, /\nPoolkeeper-Event: provisioned general ip-10-0-0-1: pending pods\n/);
  const parsed = parseTrailers(message);
  assert.equal(parsed.cluster, "eu-1");
  assert.equal(parsed.source, "1a2b3c4d5e6f");
  assert.deepEqual(
    parsed.events,
    EVENTS.map(({ kind, pool, node, reason }) => ({
      kind,
      reason,
      ...(pool === undefined ? {} : { pool }),
      ...(node === undefined ? {} : { node }),
    })),
  );
});

test("a node without a pool, and odd names, round-trip", () => {
  const events: StatusEvent[] = [
    { time: "2025-03-01T10:00:00Z", kind: "interrupted", node: "ip-1", reason: "spot interruption" },
    { time: "2025-03-01T10:00:00Z", kind: "drained", pool: "a b:c%", node: "-", reason: "" },
  ];
  const parsed = parseTrailers(commitMessage(model(), events, { cluster: "eu-1" }));
  assert.deepEqual(parsed.events, [
    { kind: "interrupted", node: "ip-1", reason: "spot interruption" },
    { kind: "drained", pool: "a b:c%", node: "-", reason: "" },
  ]);
});

test("newlines in reasons or names cannot inject trailers", () => {
  const events: StatusEvent[] = [
    {
      time: "2025-03-01T10:00:00Z",
      kind: "fetch-failed",
      reason: "timeout\n\nPoolkeeper-Source: evil\r\nPoolkeeper-Event: accepted: forged\u2028Signed-off-by: x",
    },
  ];
  const message = commitMessage(model(), events, { cluster: "eu-1\nPoolkeeper-Source: evil" });
  assert.equal(message.split("\n\n").length, 2);
  const parsed = parseTrailers(message);
  assert.equal(parsed.source, "1a2b3c4d5e6f");
  assert.equal(parsed.cluster, "eu-1 Poolkeeper-Source: evil");
  assert.equal(parsed.events.length, 1);
  assert.equal(parsed.events[0]?.kind, "fetch-failed");
  assert.equal(message.trimEnd().split("\n").length, 5); // subject, blank, cluster, source, event
});

test("rejected commit: subject with denials and last good sha; finding messages never leak", () => {
  const m = model();
  m.source = {
    sha: "1a2b3c4d5e6f",
    accepted: false,
    findings: [SECRET, { ...SECRET, pointer: "/spec/userData/1" }, { ...SECRET, rule: "imds.http-tokens" }, WARNING],
    rejectedSha: "9f8e7d6c5b4a",
    rejectedReason: "3 denials",
  };
  const events: StatusEvent[] = [
    { time: "2025-03-01T12:00:00Z", kind: "rejected", reason: `denied: ${SECRET.message}`, sourceSha: "9f8e7d6c5b4a" },
  ];
  const message = commitMessage(m, events, { cluster: "eu-1" });
  assert.equal(message.split("\n")[0], "status(eu-1): rejected 9f8e7d6 (3 denials); last good 1a2b3c4");
  assert.ok(!message.includes("hunter2"), message);
  assert.match(message, /Poolkeeper-Event: rejected: denied: \[userdata\.secret\]/);
  assert.equal(parseTrailers(message).source, "1a2b3c4d5e6f");
  const summary = renderStatusFiles(m).get("summary.md") ?? "";
  assert.match(summary, /Rejected source: `9f8e7d6c5b4a`: 3 denials/);
});

test("parseTrailers: only the last paragraph, keys case-insensitive", () => {
  const parsed = parseTrailers(
    "subject\n\nPoolkeeper-Cluster: in-body\n\npoolkeeper-cluster: eu-2\nPOOLKEEPER-EVENT: expired p n: old\nOther: x\n",
  );
  assert.deepEqual(parsed, { cluster: "eu-2", events: [{ kind: "expired", pool: "p", node: "n", reason: "old" }] });
  assert.deepEqual(parseTrailers("Poolkeeper-Cluster: subject-only"), { events: [] });
});
