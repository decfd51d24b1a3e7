// Parsing the interruption queue's messages, judged against the envelopes the simulated world's EventBridge emits
// (sim/world/cloud/event-bridge.ts, written from EC2's and AWS Health's documented events, independently of the
// parser) and the kinds Karpenter's parser gives each (aws:pkg/controllers/interruption/parser.go; FACTS §c); the
// queue setting by name or URL (SQS's URL forms); and the DescribeInstanceStatus verdicts (EC2 prefixes a finished
// or cancelled event's description with [Completed] or [Canceled]).
import assert from "node:assert/strict";
import { afterEach, beforeEach, describe, test } from "node:test";
import {
  instanceStatusVerdicts,
  MAX_BODY_BYTES,
  parseMessage,
  resolveInterruptionQueue,
} from "../../../controller/interruption/index.ts";
import {
  Cloud,
  defaultScenario,
  EventBridge,
  loadInstanceTypes,
  Queues,
  type EventEnvelope,
} from "../../../sim/world/cloud/index.ts";
import { FakeClock } from "../../support/fake-clock.ts";

let clock: FakeClock;
let cloud: Cloud;
let bridge: EventBridge;
let ids: string[];

beforeEach(() => {
  clock = new FakeClock(new Date("2026-04-06T09:00:00Z"));
  cloud = new Cloud({
    scenario: defaultScenario({ interruptionQueue: "q" }),
    instanceTypes: loadInstanceTypes(),
    clock,
  });
  const queues = new Queues({
    clock,
    ids: cloud.ids,
    accountId: cloud.scenario.accountId,
    region: cloud.scenario.region,
  });
  bridge = new EventBridge({ cloud, queues, clock });
  const subnetId = cloud.scenario.subnets[0]?.id ?? "";
  ids = cloud
    .launch(
      {
        instanceType: "m5.large",
        subnetId,
        imageId: "ami-0a00000000000a023",
        capacityType: "spot",
        securityGroupIds: [],
        tags: [],
      },
      3,
    )
    .map((i) => i.id);
});

afterEach(() => {
  bridge.emitted.length = 0;
});

const parsed = (envelope: EventEnvelope) => parseMessage(JSON.stringify(envelope));
const id = (n: number) => ids[n] ?? "";

describe("the world's envelopes", () => {
  test("spot warning, rebalance and capacity-reservation warning: one instance each, the envelope's time as the notice", () => {
    const cases: [EventEnvelope, string][] = [
      [bridge.spotInterruption(id(0)), "spot_interrupted"],
      [bridge.rebalanceRecommendation(id(1)), "rebalance_recommendation"],
      [bridge.capacityReservationInterruption(id(2)), "capacity_reservation_interrupted"],
    ];
    for (const [envelope, kind] of cases) {
      const result = parsed(envelope);
      assert.equal(result.type, "event", kind);
      if (result.type !== "event") continue;
      assert.equal(result.event.kind, kind);
      assert.deepEqual(result.event.instanceIds, [envelope.detail["instance-id"]]);
      assert.equal(result.event.noticeAt, Date.parse(envelope.time));
      assert.equal(result.event.id, envelope.id);
    }
  });

  test("a Health scheduled change names every affected instance", () => {
    const result = parsed(bridge.scheduledChange(ids));
    assert.equal(result.type, "event");
    if (result.type === "event") {
      assert.equal(result.event.kind, "scheduled_change");
      assert.deepEqual(result.event.instanceIds, ids);
      assert.equal(result.event.detail, "AWS_EC2_INSTANCE_RETIREMENT_SCHEDULED");
    }
  });

  test("state changes: shutting-down and terminated act, stopping and stopped act, pending does not", () => {
    cloud.terminate([id(0)]);
    clock.step(cloud.scenario.shuttingDownMs);
    const states = bridge.emitted.map((e) => [e.detail["state"], parsed(e)] as const);
    const byState = new Map(states.map(([state, result]) => [state, result]));
    assert.equal(byState.get("pending")?.type, "noop");
    const shutting = byState.get("shutting-down");
    const terminated = byState.get("terminated");
    assert.ok(shutting?.type === "event" && shutting.event.kind === "instance_terminated");
    assert.ok(terminated?.type === "event" && terminated.event.kind === "instance_terminated");
    const stopping = { ...bridge.emitted[0], detail: { "instance-id": id(1), state: "stopping" } } as EventEnvelope;
    const stop = parsed(stopping);
    assert.ok(stop.type === "event" && stop.event.kind === "instance_stopped" && stop.event.detail === "stopping");
  });

  test("a Health event that is not an EC2 scheduled change, another source, or another version is a no-op", () => {
    const health = bridge.scheduledChange([id(0)]);
    assert.equal(parsed({ ...health, detail: { ...health.detail, service: "RDS" } }).type, "noop");
    assert.equal(parsed({ ...health, detail: { ...health.detail, eventTypeCategory: "issue" } }).type, "noop");
    const spot = bridge.spotInterruption(id(1));
    assert.equal(parseMessage(JSON.stringify({ ...spot, source: "aws.s3" })).type, "noop");
    assert.equal(parseMessage(JSON.stringify({ ...spot, version: "1" })).type, "noop");
  });
});

describe("malformed bodies: the field at fault, never the body", () => {
  const spot = () => bridge.spotInterruption(id(0)) as unknown as Record<string, unknown>;
  const problem = (body: string) => {
    const result = parseMessage(body);
    assert.equal(result.type, "malformed", body.slice(0, 60));
    return result.type === "malformed" ? result.problem : "";
  };

  test("not JSON, not an object, or over SQS's 256 KiB", () => {
    assert.match(problem('{"version":"0"'), /not JSON/);
    assert.match(problem("[1,2]"), /not a JSON object/);
    assert.match(problem(JSON.stringify({ ...spot(), pad: "x".repeat(MAX_BODY_BYTES) })), /larger than 262144 bytes/);
  });

  test("a missing or empty envelope field, a time that is not one, a detail that is not an object", () => {
    assert.match(problem(JSON.stringify({ ...spot(), "detail-type": "" })), /^detail-type: /);
    assert.match(problem(JSON.stringify({ ...spot(), id: 7 })), /^id: /);
    assert.match(problem(JSON.stringify({ ...spot(), time: "yesterday" })), /^time: "yesterday"/);
    assert.match(problem(JSON.stringify({ ...spot(), detail: "x" })), /^detail: /);
  });

  test("an instance id that is not one, in the detail or in a Health event's entities", () => {
    assert.match(
      problem(JSON.stringify({ ...spot(), detail: { "instance-id": "../etc" } })),
      /detail\.instance-id: "\.\.\/etc"/,
    );
    const health = bridge.scheduledChange([id(0)]);
    const bad = {
      ...health,
      detail: { ...health.detail, affectedEntities: [{ entityValue: id(0) }, { entityValue: 3 }] },
    };
    assert.match(problem(JSON.stringify(bad)), /affectedEntities\[1\]\.entityValue/);
  });
});

describe("--interruption-queue by name or URL", () => {
  test("a name is taken as it is; an SQS URL gives the name, the account and the region", () => {
    assert.deepEqual(resolveInterruptionQueue("Karpenter-prod"), { name: "Karpenter-prod" });
    assert.deepEqual(resolveInterruptionQueue("https://sqs.eu-west-1.amazonaws.com/123456789012/Karpenter-prod"), {
      name: "Karpenter-prod",
      url: "https://sqs.eu-west-1.amazonaws.com/123456789012/Karpenter-prod",
      accountId: "123456789012",
      region: "eu-west-1",
    });
    assert.equal(resolveInterruptionQueue("https://us-east-2.queue.amazonaws.com/123456789012/q").region, "us-east-2");
    const local = resolveInterruptionQueue("http://127.0.0.1:4566/000000000000/q");
    assert.equal(local.name, "q");
    assert.equal(local.region, undefined);
  });

  test("anything else is an error naming the setting and the value", () => {
    assert.throws(
      () => resolveInterruptionQueue("my queue"),
      /^Error: --interruption-queue: "my queue" is neither an SQS queue name/,
    );
    assert.throws(
      () => resolveInterruptionQueue("https://sqs.us-east-1.amazonaws.com/q"),
      /--interruption-queue: the URL's path "\/q"/,
    );
    assert.throws(
      () => resolveInterruptionQueue("x.fifo", "settings.interruptionQueue"),
      /^Error: settings\.interruptionQueue: /,
    );
  });
});

describe("DescribeInstanceStatus verdicts", () => {
  test("impaired system or instance checks are forceful; an upcoming event drains; finished or cancelled events do not", () => {
    const ok = { instanceStatus: "ok", systemStatus: "ok", events: [] };
    assert.deepEqual(
      instanceStatusVerdicts([
        { ...ok, instanceId: "i-1", systemStatus: "impaired" },
        { ...ok, instanceId: "i-2", instanceStatus: "impaired" },
        {
          ...ok,
          instanceId: "i-3",
          events: [{ code: "instance-retirement", description: "The instance is running on degraded hardware" }],
        },
        { ...ok, instanceId: "i-4", events: [{ code: "system-reboot", description: "[Completed] Scheduled reboot" }] },
        { ...ok, instanceId: "i-5", events: [{ code: "instance-stop", description: "[Canceled] Scheduled stop" }] },
        { ...ok, instanceId: "i-6" },
      ]),
      [
        { instanceId: "i-1", action: "forceful", check: "system" },
        { instanceId: "i-2", action: "forceful", check: "instance" },
        { instanceId: "i-3", action: "drain", code: "instance-retirement" },
      ],
    );
  });
});
