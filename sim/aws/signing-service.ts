// Which service a request on the shared endpoint is for, as the SDKs and awscli mark it: JSON-protocol services by
// their `X-Amz-Target` prefix (AmazonSQS., AmazonSSM.); Query-protocol ones (EC2, IAM) by the service in the SigV4
// credential scope (`Credential=AKID/20260105/us-east-1/iam/aws4_request`), or for an unsigned request by IAM's
// API version in the body (`Version=2010-05-08`).
import type http from "node:http";

export type AwsService = "ec2" | "iam" | "sqs" | "ssm";

const SCOPE = /Credential=[^/,\s]+\/\d{8}\/[^/]+\/([a-z0-9-]+)\/aws4_request/;

export function awsService(req: http.IncomingMessage, body: string): AwsService {
  const target = req.headers["x-amz-target"];
  if (typeof target === "string") {
    if (target.startsWith("AmazonSSM.")) return "ssm";
    if (target.startsWith("AmazonSQS.")) return "sqs";
  }
  const scope = SCOPE.exec(req.headers.authorization ?? "")?.[1];
  if (scope === "iam") return "iam";
  if (scope === undefined && /(?:^|&)Version=2010-05-08(?:&|$)/.test(body)) return "iam";
  return "ec2";
}
