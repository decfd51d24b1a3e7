// The AWS implementation of the CloudProvider interface over the EC2-shaped port. See docs/cloudprovider.md.
export {
  ANNOTATION_LAUNCH_ATTEMPT,
  AwsCloudProvider,
  type AwsCloudProviderOptions,
  type ClusterEndpoint,
  instanceIdOf,
} from "./aws-cloud-provider.ts";
export { UNAVAILABLE_OFFERINGS_TTL_MS } from "./unavailable-offerings.ts";
