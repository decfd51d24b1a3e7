// The simulated AWS served over its real protocols: EC2 (Query, XML) and SQS (JSON) on one 127.0.0.1 endpoint.
export { type AwsServer, startAwsServer } from "./server.ts";
