// The EC2-shaped port (EC2, SSM, IAM) and the interruption queue over the AWS SDK v3: thin, no decisions.
// See docs/adapters.md.
import type { AwsPorts } from "../../api/index.ts";
import type { AwsClientOptions } from "./client-config.ts";
import { SdkEc2 } from "./ec2.ts";
import { SdkIam } from "./iam.ts";
import { SdkSsm } from "./ssm.ts";

export { awsErrorCode, toPortError } from "./aws-errors.ts";
export { type AwsClientOptions, awsClientConfig } from "./client-config.ts";
export { SdkEc2 } from "./ec2.ts";
export { SdkIam } from "./iam.ts";
export { SqsInterruptionQueue } from "./sqs-queue.ts";
export { SdkSsm } from "./ssm.ts";

/** The three clients of the EC2-shaped port, built alike; `destroy` closes their connections. */
export function sdkAwsPorts(options: AwsClientOptions = {}): AwsPorts & { destroy(): void; region(): Promise<string> } {
  const ec2 = new SdkEc2(options);
  const ssm = new SdkSsm(options);
  const iam = new SdkIam(options);
  return {
    ec2,
    ssm,
    iam,
    /** The region the clients use: the option, else the SDK's chain (AWS_REGION, the shared config, IMDS). */
    region: () => ec2.client.config.region(),
    destroy() {
      ec2.destroy();
      ssm.destroy();
      iam.destroy();
    },
  };
}
