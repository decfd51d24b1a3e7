/**
 * The SSM part of the EC2-shaped port over `@aws-sdk/client-ssm`: Parameter Store reads, where AWS publishes the
 * EKS-optimized AMI ids (aws:pkg/providers/ssm). GetParameters takes at most 10 names a call, so longer lists are
 * asked in tens.
 */
import { GetParameterCommand, GetParametersCommand, SSMClient } from "@aws-sdk/client-ssm";
import { NotFound, type SsmPort } from "../../api/index.ts";
import { mapped } from "./aws-errors.ts";
import { awsClientConfig, type AwsClientOptions } from "./client-config.ts";

const GET_PARAMETERS_MAX_NAMES = 10;

export class SdkSsm implements SsmPort {
  readonly client: SSMClient;

  constructor(options: AwsClientOptions = {}) {
    this.client = new SSMClient(awsClientConfig(options));
  }

  getParameter(name: string): Promise<string> {
    return mapped(async () => {
      const answer = await this.client.send(new GetParameterCommand({ Name: name }));
      const value = answer.Parameter?.Value;
      if (value === undefined) throw new NotFound("ParameterNotFound", `parameter ${name} has no value`);
      return value;
    });
  }

  getParameters(names: readonly string[]): Promise<Map<string, string>> {
    return mapped(async () => {
      const values = new Map<string, string>();
      for (let start = 0; start < names.length; start += GET_PARAMETERS_MAX_NAMES) {
        const chunk = names.slice(start, start + GET_PARAMETERS_MAX_NAMES);
        const answer = await this.client.send(new GetParametersCommand({ Names: [...chunk] }));
        for (const p of answer.Parameters ?? []) {
          if (p.Name !== undefined && p.Value !== undefined) values.set(p.Name, p.Value);
        }
      }
      return values;
    });
  }

  destroy(): void {
    this.client.destroy();
  }
}
