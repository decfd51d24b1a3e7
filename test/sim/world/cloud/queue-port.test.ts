// The InterruptionQueue port in process over the world's queues: the contract suite every implementation passes.
import { IdSource, Queues, WorldInterruptionQueue } from "../../../../sim/world/cloud/index.ts";
import { interruptionQueueContract } from "../../../support/interruption-queue-contract.ts";
import { FakeClock } from "../../../support/fake-clock.ts";

interruptionQueueContract("in process (sim/world/cloud/queue-port.ts)", async () => {
  const clock = new FakeClock(new Date("2026-01-05T10:00:00Z"));
  const queues = new Queues({ clock, ids: new IdSource(), accountId: "123456789012", region: "us-west-2" });
  return {
    queues,
    clock,
    connect: (name) => new WorldInterruptionQueue(queues, name),
    stop: async () => {},
  };
});
