// The controller's public surface for the program that assembles it (cli/, tests): what other parts use.
export { createCloudProviderMetrics } from "./cloud-provider-metrics.ts";
