// A kubeconfig for the simulated cluster: its URL, the CA that signed its serving certificate and the admin
// bearer token, so `kubectl --kubeconfig <file>` and client libraries connect as they would to a cluster.
import { stringify } from "yaml";

export interface KubeconfigInput {
  server: string;
  ca: string;
  token: string;
  /** The context's (and cluster's) name; `poolkeeper-sim` by default. */
  name?: string;
  namespace?: string;
}

export function kubeconfigYaml(input: KubeconfigInput): string {
  const name = input.name ?? "poolkeeper-sim";
  const context: Record<string, string> = { cluster: name, user: `${name}-admin` };
  if (input.namespace) context.namespace = input.namespace;
  return stringify({
    apiVersion: "v1",
    kind: "Config",
    clusters: [
      {
        name,
        cluster: { server: input.server, "certificate-authority-data": Buffer.from(input.ca).toString("base64") },
      },
    ],
    users: [{ name: `${name}-admin`, user: { token: input.token } }],
    contexts: [{ name, context }],
    "current-context": name,
    preferences: {},
  });
}
