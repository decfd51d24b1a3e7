// The interruption queue adapter over HTTP against the simulated SQS: the contract suite every implementation of
// the port passes (test/support/interruption-queue-contract.ts). The simulated SQS's long polls and visibility
// run on the world's fake clock, so nothing here waits for real time.
import { SqsInterruptionQueue } from "../../../adapters/aws/index.ts";
import { CREDENTIALS, startAwsWorld } from "../../sim/aws/aws-world.ts";
import { interruptionQueueContract } from "../../support/interruption-queue-contract.ts";

interruptionQueueContract("adapters/aws over HTTP to sim/aws", async () => {
  const world = await startAwsWorld();
  const ports: SqsInterruptionQueue[] = [];
  return {
    queues: world.server.queues,
    clock: world.clock,
    connect: (name) => {
      const port = new SqsInterruptionQueue(name, {
        endpoint: world.server.endpoint,
        region: "us-west-2",
        credentials: CREDENTIALS,
      });
      ports.push(port);
      return port;
    },
    stop: async () => {
      for (const port of ports) port.destroy();
      await world.close();
    },
  };
});
