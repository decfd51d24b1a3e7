// The cloud as the controller sees it (Karpenter's pkg/cloudprovider), and the static instance-type catalog that
// the policy rules and the AWS implementation start from.
export * from "./catalog/catalog.ts";
