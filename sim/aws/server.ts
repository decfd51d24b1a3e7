// The simulated AWS endpoint on 127.0.0.1: one listener for EC2 and IAM (Query protocol) and SQS and SSM (JSON
// protocol; SQS also in its older Query protocol, which awscli 2.9 speaks), told apart as signing-service.ts reads
// them. HTTPS with the certificate the caller gives (`tls`, issued by the CA the clients trust: the SDK's request
// handler or NODE_EXTRA_CA_CERTS, awscli's --ca-bundle / AWS_CA_BUNDLE), plain HTTP without one (the SDK v3 and
// awscli both accept an http:// endpoint override). The listen itself is runtime/'s createServing, shared with
// the other servers. Requests are not authenticated: SigV4 headers are accepted, never verified.
import type http from "node:http";
import type { TimerClock } from "../../api/index.ts";
import { createServing, type Logger, type ServingTimeouts } from "../../runtime/index.ts";
import type { Cloud } from "../world/cloud/cloud.ts";
import { EventBridge } from "../world/cloud/event-bridge.ts";
import { Queues } from "../world/cloud/queues.ts";
import { handleEc2 } from "./ec2/handler.ts";
import { certificateStoreOf, type ServingPem } from "./certificates.ts";
import { ec2ErrorResponse } from "./xml.ts";
import { CloudError } from "../world/cloud/cloud-error.ts";
import { handleIam } from "./iam/handler.ts";
import { parseQuery, QueryParseError } from "./query-params.ts";
import { awsService } from "./signing-service.ts";
import { sqsErrorAnswer, SqsHandler } from "./sqs/handler.ts";
import { handleSqsQuery, queryAnswer, SQS_QUERY_VERSION } from "./sqs/query.ts";
import { handleSsm } from "./ssm/handler.ts";

/** Bodies beyond this are refused (413): EC2 and SQS requests are small; a runaway client must not fill memory. */
export const MAX_BODY_BYTES = 2 * 1024 * 1024;

/**
 * Long polls last up to 20 s of simulated time; at scaled time that is wall time, so the request timeout is generous.
 * Idle connections are kept 65 s, as the simulated API server does and as AWS's endpoints keep them far longer than
 * Node's 5 s default: the SDK's agent reuses an idle socket, and one the server closes at that moment is an
 * ECONNRESET that a client with one attempt (the tests' `maxAttempts: 1`) does not retry — seen under load.
 */
const TIMEOUTS: ServingTimeouts = {
  headersMs: 10_000,
  requestMs: 0,
  keepAliveMs: 65_000,
  handshakeMs: 10_000,
  shutdownMs: 1_000,
  checkIntervalMs: 1_000,
};

export interface AwsServer {
  /** `https://127.0.0.1:<port>` (`http://` without `tls`): the endpoint for EC2, SQS, SSM and IAM clients. */
  readonly endpoint: string;
  readonly cloud: Cloud;
  readonly queues: Queues;
  /** The scenario's EventBridge rules: interruption events to `interruptionQueue`, emitted on demand. */
  readonly events: EventBridge;
  close(): Promise<void>;
}

function readBody(req: http.IncomingMessage): Promise<string | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        resolve(undefined);
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}

export async function startAwsServer(options: {
  cloud: Cloud;
  clock: TimerClock;
  logger: Logger;
  port?: number;
  /** Serve HTTPS with this certificate and key (PEM); plain HTTP without. */
  tls?: ServingPem;
}): Promise<AwsServer> {
  const { cloud, logger } = options;
  const queues = new Queues({
    clock: options.clock,
    ids: cloud.ids,
    accountId: cloud.scenario.accountId,
    region: cloud.scenario.region,
    duplicate: () => cloud.faults.takeDuplicate(),
  });
  const sqs = new SqsHandler(queues, cloud.scenario.accountId);
  const events = new EventBridge({ cloud, queues, clock: options.clock });
  const handler: http.RequestListener = (req, res) => {
    void (async () => {
      const body = await readBody(req);
      if (body === undefined) {
        res.writeHead(413, { "content-type": "text/plain" }).end(`request body larger than ${MAX_BODY_BYTES} bytes\n`);
        return;
      }
      const target = req.headers["x-amz-target"];
      const service = awsService(req, body);
      if (service === "ssm" && typeof target === "string") {
        const answer = handleSsm(cloud.ssm, target, body);
        logger.debug({ service, operation: target, status: answer.status }, "aws request");
        res.writeHead(answer.status, answer.headers).end(answer.body);
        return;
      }
      const isSqs = service === "sqs" && typeof target === "string";
      // Without a target, a form post is EC2's or IAM's Query protocol or, by its Version, SQS's older one (awscli 2.9).
      const form = isSqs ? undefined : new URLSearchParams(body);
      const action = isSqs ? target.slice("AmazonSQS.".length) : (form?.get("Action") ?? "");
      const isSqsQuery = service === "ec2" && form?.get("Version") === SQS_QUERY_VERSION;
      // Faults armed on the cloud (cloud.faults), for EC2 and SQS: a delay on the world's clock, then maybe an error.
      const fault =
        service === "iam"
          ? { delayMs: 0, error: undefined }
          : cloud.faults.take(isSqs || isSqsQuery ? "sqs" : "ec2", action);
      if (fault.delayMs > 0) await new Promise<void>((resolve) => options.clock.afterFunc(fault.delayMs, resolve));
      if (fault.error && (isSqs || isSqsQuery)) {
        const error = sqsErrorAnswer(fault.error);
        const answer = isSqs ? error : queryAnswer(action, error, cloud.ids.requestId());
        res.writeHead(answer.status, answer.headers).end(answer.body);
        return;
      }
      if (isSqsQuery) {
        let params;
        try {
          params = parseQuery(body);
        } catch (error) {
          if (!(error instanceof QueryParseError)) throw error;
          const answer = queryAnswer(
            action,
            sqsErrorAnswer(new CloudError("MalformedQueryString", error.message)),
            cloud.ids.requestId(),
          );
          res.writeHead(answer.status, answer.headers).end(answer.body);
          return;
        }
        const answer = await handleSqsQuery(sqs, params, cloud.ids.requestId());
        logger.debug({ service: "sqs", protocol: "query", operation: action, status: answer.status }, "aws request");
        res.writeHead(answer.status, answer.headers).end(answer.body);
        return;
      }
      if (fault.error) {
        res
          .writeHead(fault.error.status, { "content-type": "text/xml;charset=UTF-8" })
          .end(ec2ErrorResponse(fault.error.code, fault.error.message, cloud.ids.requestId()));
        return;
      }
      if (isSqs) {
        const answer = await sqs.handle(target, body);
        logger.debug({ service: "sqs", operation: target, status: answer.status }, "aws request");
        res.writeHead(answer.status, answer.headers).end(answer.body);
        return;
      }
      if (req.method !== "POST") {
        res
          .writeHead(405, { "content-type": "text/plain" })
          .end("the simulated EC2, IAM, SQS and SSM answer POST requests only\n");
        return;
      }
      if (service === "iam") {
        const answer = handleIam(cloud, body);
        logger.debug({ service, action: answer.action, status: answer.status }, "aws request");
        res.writeHead(answer.status, { "content-type": "text/xml" }).end(answer.body);
        return;
      }
      const answer = handleEc2(cloud, body);
      logger.debug({ service: "ec2", action: answer.action, status: answer.status }, "aws request");
      res.writeHead(answer.status, { "content-type": "text/xml;charset=UTF-8" }).end(answer.body);
    })().catch((error: unknown) => {
      logger.error({ err: error }, "simulated AWS request failed");
      if (!res.headersSent) res.writeHead(500, { "content-type": "text/plain" });
      res.end("internal error in the simulated AWS\n");
    });
  };
  const serving = createServing({
    handler,
    timeouts: TIMEOUTS,
    logger,
    // Long polls hold a request each for up to 20 s: room for many pollers beside the other calls.
    limits: { maxInFlight: 1024 },
    watch: false,
    ...(options.tls ? { certificates: certificateStoreOf(options.tls, logger) } : {}),
  });
  const address = await serving.listen(options.port ?? 0, "127.0.0.1");
  const endpoint = `${options.tls ? "https" : "http"}://127.0.0.1:${address.port}`;
  queues.baseUrl = endpoint;
  return { endpoint, cloud, queues, events, close: () => serving.close() };
}
