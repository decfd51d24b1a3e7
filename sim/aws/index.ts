// The simulated AWS served over its real protocols: EC2 and IAM (Query, XML), SQS and SSM (JSON) on one 127.0.0.1
// endpoint.
export { type AwsServer, startAwsServer } from "./server.ts";
