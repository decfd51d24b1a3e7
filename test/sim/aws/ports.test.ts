// The EC2-shaped port in process over the simulated cloud (sim/aws/ports.ts): the contract suite every
// implementation passes, the same one the SDK adapters pass over HTTP.
import { worldAwsPorts } from "../../../sim/aws/ports.ts";
import { Cloud, defaultScenario, loadInstanceTypes } from "../../../sim/world/cloud/index.ts";
import { awsPortsContract, CONTRACT_SCENARIO } from "../../support/aws-ports-contract.ts";
import { FakeClock } from "../../support/fake-clock.ts";
import { START } from "./aws-world.ts";

awsPortsContract("in process (sim/aws/ports.ts)", async () => {
  const clock = new FakeClock(START);
  const cloud = new Cloud({ scenario: defaultScenario(CONTRACT_SCENARIO), instanceTypes: loadInstanceTypes(), clock });
  return { ports: worldAwsPorts(cloud), cloud, clock, stop: async () => {} };
});
