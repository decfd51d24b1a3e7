// `poolkeeper run`'s command line against a simulated world: the flags a deployment would pass (the pool repository,
// the kubeconfig, the AWS region and endpoint), pointed at the world's served API server and AWS endpoint, on an
// ephemeral loopback port. One list for the demo, the e2e tests and the e2e bench, so they start `run` alike.

export interface SimulatedRunTarget {
  /** The pool repository's URL. */
  readonly repo: string;
  readonly cacheDir: string;
  readonly kubeconfig: string;
  readonly region: string;
  readonly awsEndpoint: string;
  readonly interruptionQueue?: string;
  /** The simulated cluster's service CIDR (no EKS to discover it from). */
  readonly serviceCidr?: string;
}

export function simulatedRunArguments(target: SimulatedRunTarget): string[] {
  return [
    "--repo",
    target.repo,
    "--cache-dir",
    target.cacheDir,
    "--kubeconfig",
    target.kubeconfig,
    "--port",
    "0",
    "--host",
    "127.0.0.1",
    "--aws-region",
    target.region,
    "--aws-endpoint",
    target.awsEndpoint,
    ...(target.interruptionQueue === undefined ? [] : ["--interruption-queue", target.interruptionQueue]),
    ...(target.serviceCidr === undefined ? [] : ["--service-cidr", target.serviceCidr]),
  ];
}
