// Starts the simulated AWS for a test file: the default scenario on a fake clock, one server per file, and SDK
// clients (EC2, SQS, SSM, IAM) pointed at it with dummy credentials (the server does not verify signatures).
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { EC2Client } from "@aws-sdk/client-ec2";
import { IAMClient } from "@aws-sdk/client-iam";
import { SQSClient } from "@aws-sdk/client-sqs";
import { SSMClient } from "@aws-sdk/client-ssm";
import { silentLogger } from "../../../runtime/log.ts";
import { startAwsServer, type AwsServer } from "../../../sim/aws/index.ts";
import { Cloud, defaultScenario, loadInstanceTypes, type CloudScenario } from "../../../sim/world/cloud/index.ts";
import { FakeClock } from "../../support/fake-clock.ts";

const execFileAsync = promisify(execFile);

export const START = new Date("2026-01-05T10:00:00Z");
export const CREDENTIALS = { accessKeyId: "AKIDSIMULATED", secretAccessKey: "simulated-secret" };

export interface AwsWorld {
  server: AwsServer;
  clock: FakeClock;
  ec2: EC2Client;
  sqs: SQSClient;
  ssm: SSMClient;
  iam: IAMClient;
  close(): Promise<void>;
}

export async function startAwsWorld(scenario: Partial<CloudScenario> = {}): Promise<AwsWorld> {
  const clock = new FakeClock(START);
  const cloud = new Cloud({ scenario: defaultScenario(scenario), instanceTypes: loadInstanceTypes(), clock });
  const server = await startAwsServer({ cloud, clock, logger: silentLogger() });
  const config = { endpoint: server.endpoint, region: cloud.scenario.region, credentials: CREDENTIALS, maxAttempts: 1 };
  const ec2 = new EC2Client(config);
  const sqs = new SQSClient(config);
  const ssm = new SSMClient(config);
  const iam = new IAMClient(config);
  return {
    server,
    clock,
    ec2,
    sqs,
    ssm,
    iam,
    async close() {
      ec2.destroy();
      sqs.destroy();
      ssm.destroy();
      iam.destroy();
      await server.close();
    },
  };
}

/**
 * Runs Debian's awscli (an independent implementation of the protocols) against the server, with dummy
 * credentials and no user configuration, and returns what it prints. `AWS_CLI` names another binary; Debian
 * installs it as /usr/bin/aws, which is preferred over whatever else is first on PATH.
 */
export async function awsCliText(endpoint: string, args: readonly string[]): Promise<string> {
  const binary = process.env.AWS_CLI ?? (existsSync("/usr/bin/aws") ? "/usr/bin/aws" : "aws");
  const home = await mkdtemp(join(tmpdir(), "aws-cli-"));
  try {
    const { stdout } = await execFileAsync(binary, ["--endpoint-url", endpoint, ...args], {
      env: {
        PATH: process.env.PATH ?? "",
        HOME: home,
        AWS_ACCESS_KEY_ID: CREDENTIALS.accessKeyId,
        AWS_SECRET_ACCESS_KEY: CREDENTIALS.secretAccessKey,
        AWS_DEFAULT_REGION: "us-west-2",
        AWS_PAGER: "",
        AWS_CONFIG_FILE: join(home, "config"),
        AWS_SHARED_CREDENTIALS_FILE: join(home, "credentials"),
        AWS_EC2_METADATA_DISABLED: "true",
      },
    });
    return stdout;
  } finally {
    await rm(home, { recursive: true, force: true });
  }
}

/**
 * Splits a one-line shell command from the docs as sh would for these examples: words, 'single' and "double"
 * quoted, `$NAME` replaced from `env` outside single quotes.
 */
export function commandWords(line: string, env: Record<string, string>): string[] {
  return [...line.matchAll(/'([^']*)'|"([^"]*)"|(\S+)/g)].map(
    ([, single, double, bare]) =>
      single ?? (double ?? bare ?? "").replace(/\$(\w+)/g, (_, name: string) => env[name] ?? ""),
  );
}

/** awscli's JSON output, parsed. */
export async function awsCli(endpoint: string, args: readonly string[]): Promise<unknown> {
  return JSON.parse(await awsCliText(endpoint, ["--output", "json", ...args])) as unknown;
}
