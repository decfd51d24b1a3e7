import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { parseKarpenterSchedule } from "../../../api/cron/index.ts";
import { applyFix, judge, nodePool, summary, upstreamDenials } from "./judge.ts";

const rules = ["budgets.*"];
type Budget = Record<string, unknown>;

function pool(budgets: Budget[] | undefined, templateSpec: Record<string, unknown> = {}) {
  return nodePool("a", {
    limits: { cpu: 100 },
    ...(budgets ? { disruption: { budgets } } : {}),
    template: { spec: templateSpec },
  });
}

const cap = { nodes: "10%" };
const businessHours = { nodes: "0", schedule: "0 9 * * mon-fri", duration: "12h" };
const budgetsOf = (object: Record<string, unknown>) =>
  ((object.spec as { disruption?: { budgets?: Budget[] } }).disruption?.budgets ?? []) as Budget[];

test("Karpenter's default budget, and a cap with a blocking window, pass in both presets (the window is audited)", () => {
  assert.deepEqual(judge([pool(undefined)], { rules }), []);
  assert.deepEqual(judge([pool(undefined)], { rules, preset: "strict" }), []);
  assert.deepEqual(summary(judge([pool([cap, businessHours])], { rules, preset: "strict" })), [
    "budgets.window audit /spec/disruption/budgets/1/schedule",
  ]);
});

describe("budgets.schedule-unparsable", () => {
  const rule = ["budgets.schedule-unparsable"];

  test("sat-sun wraps around: denied in baseline, fail-closed consequence, and a patch that Karpenter can parse", () => {
    const object = pool([cap, { nodes: "0", schedule: "0 0 * * sat-sun", duration: "48h" }]);
    const findings = judge([object], { rules });
    assert.deepEqual(summary(findings), ["budgets.schedule-unparsable deny /spec/disruption/budgets/1/schedule"]);
    const [finding] = findings;
    assert.match(finding?.message ?? "", /cannot parse budget 1's schedule "0 0 \* \* sat-sun"/);
    assert.match(finding?.message ?? "", /runs backwards.*sat,sun/);
    assert.match(finding?.message ?? "", /fails closed and allows 0 disruptions for every reason in this NodePool/);
    assert.equal(finding?.hint, 'write "0 0 * * sat,sun" (robfig/cron syntax, in UTC)');
    const fixed = applyFix(object, finding);
    assert.equal(budgetsOf(fixed)[1]?.schedule, "0 0 * * sat,sun");
    assert.ok(parseKarpenterSchedule("0 0 * * sat,sun").ok);
    assert.deepEqual(judge([fixed], { rules: rule }), []);
  });

  test("Sunday as 7 is rejected too; without a certain rewrite there is no patch", () => {
    const findings = judge([pool([cap, { nodes: "0", schedule: "0 0 * * 7", duration: "24h" }])], { rules: rule });
    assert.equal(findings.length, 1);
    assert.match(findings[0]?.message ?? "", /day of week 7 is not accepted/);
    assert.equal(findings[0]?.patch, undefined);
  });

  test("what the CRD itself rejects (pattern, schedule without duration) is left to schema.*", () => {
    assert.deepEqual(judge([pool([{ nodes: "0", schedule: "@every 5m", duration: "1h" }])], { rules }), []);
    assert.deepEqual(judge([pool([{ nodes: "0", schedule: "0 0 * * sat-sun" }])], { rules }), []);
    const schema = judge([pool([{ nodes: "0", schedule: "0 0 * * sat-sun" }])], { rules: ["schema.*"] });
    assert.ok(schema.length > 0, "the CRD's CEL rule reports schedule without duration");
  });
});

describe("budgets.scheduled-only", () => {
  const rule = ["budgets.scheduled-only"];

  test("only a blocking window: warned (denied in strict), window in plain words, patch adds the default cap", () => {
    const object = pool([businessHours]);
    const findings = judge([object], { rules: rule });
    assert.deepEqual(summary(findings), ["budgets.scheduled-only warn /spec/disruption/budgets"]);
    assert.match(
      findings[0]?.message ?? "",
      /outside their windows \(budget 0 blocks all disruption Mon–Fri 09:00–21:00 UTC\) no budget is active and Karpenter may disrupt any number of its nodes at once/,
    );
    const fixed = applyFix(object, findings[0]);
    assert.deepEqual(budgetsOf(fixed), [businessHours, { nodes: "10%" }]);
    assert.deepEqual(judge([fixed], { rules: rule }), []);
    assert.deepEqual(summary(judge([object], { rules: rule, preset: "strict" })), [
      "budgets.scheduled-only deny /spec/disruption/budgets",
    ]);
  });

  test("a permissive window meant as 'only then': no patch (a cap would change the window), the complement in the hint", () => {
    const findings = judge([pool([{ nodes: "20%", schedule: "0 2 * * *", duration: "4h" }])], { rules: rule });
    assert.equal(findings.length, 1);
    assert.match(
      findings[0]?.message ?? "",
      /limits all disruption to 20% of the pool's nodes at a time daily 02:00–06:00 UTC/,
    );
    assert.equal(findings[0]?.patch, undefined);
    assert.match(
      findings[0]?.hint ?? "",
      /nodes "0" budget scheduled for the rest of the time \(schedule "0 6 \* \* \*", duration 20h\)/,
    );
  });

  test("a weekly window's complement wraps around the week", () => {
    const findings = judge([pool([{ nodes: "5", schedule: "30 22 * * sat", duration: "26h" }])], { rules: rule });
    assert.match(findings[0]?.hint ?? "", /schedule "30 0 \* \* 1", duration 142h/);
  });

  test("per reason: an unscheduled budget for Empty does not cover a scheduled Drifted window", () => {
    const object = pool([
      { nodes: "5", reasons: ["Empty", "Underutilized"] },
      { nodes: "0", reasons: ["Drifted"], schedule: "0 0 * * *", duration: "8h" },
    ]);
    const findings = judge([object], { rules: rule });
    assert.match(
      findings[0]?.message ?? "",
      /no unscheduled budget covers Drifted disruption, so outside the scheduled windows \(budget 1 blocks Drifted disruption daily 00:00–08:00 UTC\)/,
    );
    const fixed = applyFix(object, findings[0]);
    assert.deepEqual(budgetsOf(fixed)[2], { nodes: "10%", reasons: ["Drifted"] });
    assert.deepEqual(judge([fixed], { rules: rule }), []);
  });

  test("an empty list has no limit at all; the patch restores Karpenter's default", () => {
    const object = pool([]);
    const findings = judge([object], { rules: rule });
    assert.match(findings[0]?.message ?? "", /empty list, so no budget is ever active/);
    assert.deepEqual(judge([applyFix(object, findings[0])], { rules: rule }), []);
  });

  test("a pool already failing closed (unparsable schedule) is left to budgets.schedule-unparsable", () => {
    assert.deepEqual(
      judge([pool([{ nodes: "0", schedule: "0 0 * * sat-sun", duration: "48h" }])], { rules: rule }),
      [],
    );
  });
});

describe("budgets.nodes-zero-unscheduled", () => {
  const rule = ["budgets.nodes-zero-unscheduled"];

  test("nodes 0 with no schedule blocks drift forever: warned, denied in strict", () => {
    const object = pool([{ nodes: "0" }]);
    const findings = judge([object], { rules });
    assert.deepEqual(summary(findings), ["budgets.nodes-zero-unscheduled warn /spec/disruption/budgets/0/nodes"]);
    assert.match(
      findings[0]?.message ?? "",
      /blocks all voluntary disruption .* only expiry \(expireAfter 720h\) and interruptions replace them/,
    );
    assert.deepEqual(summary(judge([object], { rules, preset: "strict" })), [
      "budgets.nodes-zero-unscheduled deny /spec/disruption/budgets/0/nodes",
    ]);
  });

  test("0% counts; with expireAfter Never nothing replaces the nodes", () => {
    const findings = judge([pool([{ nodes: "0%", reasons: ["Drifted"] }], { expireAfter: "Never" })], { rules: rule });
    assert.match(
      findings[0]?.message ?? "",
      /blocks Drifted disruption .* with expireAfter Never, nothing but interruptions ever replaces them/,
    );
  });

  test("blocking only consolidation is a cost choice, not reported", () => {
    assert.deepEqual(judge([pool([cap, { nodes: "0", reasons: ["Underutilized", "Empty"] }])], { rules }), []);
  });
});

describe("budgets.never-fires", () => {
  test("February 31st: always active, not never — warned, denied in strict", () => {
    const object = pool([cap, { nodes: "0", schedule: "0 0 31 2 *", duration: "1h" }]);
    const findings = judge([object], { rules: ["budgets.never-fires"] });
    assert.deepEqual(summary(findings), ["budgets.never-fires warn /spec/disruption/budgets/1/schedule"]);
    assert.match(
      findings[0]?.message ?? "",
      /never runs .* so this budget blocks all disruption at all times, not never/,
    );
    assert.deepEqual(summary(judge([object], { rules: ["budgets.never-fires"], preset: "strict" })), [
      "budgets.never-fires deny /spec/disruption/budgets/1/schedule",
    ]);
  });
});

describe("budgets.time-zone", () => {
  const rule = ["budgets.time-zone"];
  const zone = (timeZone: string) => ({ "budgets.time-zone": { params: { timeZone } } });
  const object = pool([cap, { nodes: "0", schedule: "0 9 * * 1-5", duration: "8h" }]);

  test("off unless a time zone is set; UTC needs no reminder", () => {
    assert.deepEqual(judge([object], { rules: rule }), []);
    assert.deepEqual(judge([object], { rules: rule, settings: zone("UTC") }), []);
  });

  test("Berlin: the UTC window Karpenter applies, the DST drift, and the schedules to write", () => {
    const findings = judge([object], { rules: rule, settings: zone("Europe/Berlin") });
    assert.deepEqual(summary(findings), ["budgets.time-zone warn /spec/disruption/budgets/1/schedule"]);
    const [finding] = findings;
    assert.match(
      finding?.message ?? "",
      /Karpenter evaluates budget 1's schedule "0 9 \* \* 1-5" in UTC, so it blocks all disruption Mon–Fri 09:00–17:00 UTC, not in Europe\/Berlin time/,
    );
    assert.match(finding?.message ?? "", /09:00 Europe\/Berlin is 08:00 UTC in winter and 07:00 UTC in summer/);
    assert.match(
      finding?.hint ?? "",
      /write schedule "0 7 \* \* 1-5" with duration 9h .* or switch between "0 8 \* \* 1-5" \(winter\) and "0 7 \* \* 1-5" \(summer\)/,
    );
  });

  test("a zone without DST: one UTC schedule", () => {
    const findings = judge([object], { rules: rule, settings: zone("Asia/Tokyo") });
    assert.equal(findings[0]?.hint, 'write "0 0 * * 1-5" to mean Asia/Tokyo time');
  });

  test("an unknown zone is said once, instead of judging the schedules", () => {
    const findings = judge([object], { rules: rule, settings: zone("Mars/Olympus") });
    assert.deepEqual(summary(findings), ["budgets.time-zone warn /spec/disruption/budgets"]);
    assert.match(findings[0]?.message ?? "", /timeZone parameter cannot be used/);
  });
});

describe("budgets.window", () => {
  test("each scheduled budget in plain words, audit in both presets", () => {
    const object = pool([
      cap,
      { nodes: "1", reasons: ["Drifted"], schedule: "0 22 * * *", duration: "6h" },
      businessHours,
    ]);
    for (const preset of ["baseline", "strict"] as const) {
      const findings = judge([object], { rules: ["budgets.window"], preset });
      assert.deepEqual(
        findings.map((f) => `${f.severity} ${f.message}`),
        [
          "audit budget 1 limits Drifted disruption to 1 node at a time daily 22:00–04:00 UTC (next day), and sets no limit outside that window.",
          "audit budget 2 blocks all disruption Mon–Fri 09:00–21:00 UTC, and sets no limit outside that window.",
        ],
      );
    }
  });
});

test("every finding on a schedule states its window in plain words (an unparsable one has none)", () => {
  const settings = { "budgets.time-zone": { params: { timeZone: "Europe/Berlin" } } };
  const objects = [
    pool([businessHours]),
    pool([cap, { nodes: "0", schedule: "0 0 31 2 *", duration: "1h" }]),
    pool([cap, businessHours]),
  ];
  for (const f of judge(objects, {
    rules: ["budgets.scheduled-only", "budgets.never-fires", "budgets.time-zone", "budgets.window"],
    settings,
  })) {
    assert.match(f.message, /Mon–Fri 09:00–21:00 UTC|at all times/, `${f.rule}: ${f.message}`);
  }
});

test("every upstream example passes baseline with no denial from the budgets family", () => {
  assert.deepEqual(upstreamDenials(rules), []);
});
