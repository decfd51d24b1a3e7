// The EC2, SSM and IAM adapters over HTTP against the simulated AWS: the contract suite every implementation of the
// EC2-shaped port passes (test/support/aws-ports-contract.ts) — the SDK's paginators and serializers, the answers
// in the port's shapes and the services' error codes as the port's typed errors.
import { sdkAwsPorts } from "../../../adapters/aws/index.ts";
import { awsPortsContract, CONTRACT_SCENARIO } from "../../support/aws-ports-contract.ts";
import { CREDENTIALS, startAwsWorld } from "../../sim/aws/aws-world.ts";

awsPortsContract("adapters/aws over HTTP to sim/aws", async () => {
  const world = await startAwsWorld(CONTRACT_SCENARIO);
  // One attempt: the SDK classifies IAM's LimitExceeded as throttling and would retry it with backoff, which only
  // makes the suite slower.
  const ports = sdkAwsPorts({
    endpoint: world.server.endpoint,
    region: world.server.cloud.scenario.region,
    credentials: CREDENTIALS,
    maxAttempts: 1,
  });
  return {
    ports,
    cloud: world.server.cloud,
    clock: world.clock,
    stop: async () => {
      ports.destroy();
      await world.close();
    },
  };
});
