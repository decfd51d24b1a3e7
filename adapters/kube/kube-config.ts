// Where the client's server, credentials and CA come from, as client-go's clientcmd / rest.InClusterConfig: a
// kubeconfig file (its current context, or the one named), or in a pod the ServiceAccount's token file and CA
// with KUBERNETES_SERVICE_HOST / KUBERNETES_SERVICE_PORT. client-node reads them; this checks first, so a missing
// piece is one clear sentence naming it instead of a request to "https://undefined:undefined".
import { existsSync } from "node:fs";
import { KubeConfig } from "./client-node.ts";

export type KubeConfigSource =
  | { kubeconfig: string; context?: string }
  /** `root` prefixes the ServiceAccount paths (tests mount them elsewhere). */
  | { inCluster: true; root?: string; env?: NodeJS.ProcessEnv };

const SERVICE_ACCOUNT = "/var/run/secrets/kubernetes.io/serviceaccount";

export class KubeConfigError extends Error {
  override readonly name = "KubeConfigError";
}

export function loadKubeConfig(source: KubeConfigSource): KubeConfig {
  const kc = new KubeConfig();
  if ("kubeconfig" in source) {
    if (!existsSync(source.kubeconfig)) throw new KubeConfigError(`kubeconfig ${source.kubeconfig}: no such file`);
    try {
      kc.loadFromFile(source.kubeconfig);
    } catch (error) {
      throw new KubeConfigError(`kubeconfig ${source.kubeconfig}: ${(error as Error).message}`);
    }
    if (source.context !== undefined) {
      if (!kc.getContextObject(source.context)) {
        throw new KubeConfigError(`kubeconfig ${source.kubeconfig}: no context named "${source.context}"`);
      }
      kc.setCurrentContext(source.context);
    }
    if (!kc.getCurrentCluster()) {
      throw new KubeConfigError(`kubeconfig ${source.kubeconfig}: the current context names no cluster`);
    }
    return kc;
  }
  const env = source.env ?? process.env;
  const root = source.root ?? "";
  for (const name of ["KUBERNETES_SERVICE_HOST", "KUBERNETES_SERVICE_PORT"]) {
    if (!env[name]) throw new KubeConfigError(`in-cluster configuration: ${name} is not set (not running in a pod?)`);
  }
  for (const file of ["token", "ca.crt"]) {
    const path = `${root}${SERVICE_ACCOUNT}/${file}`;
    if (!existsSync(path)) throw new KubeConfigError(`in-cluster configuration: ${path}: no such file`);
  }
  // loadFromCluster reads process.env; with another environment given, set the two variables it reads around it.
  const saved = { host: process.env.KUBERNETES_SERVICE_HOST, port: process.env.KUBERNETES_SERVICE_PORT };
  process.env.KUBERNETES_SERVICE_HOST = env.KUBERNETES_SERVICE_HOST;
  process.env.KUBERNETES_SERVICE_PORT = env.KUBERNETES_SERVICE_PORT;
  try {
    kc.loadFromCluster(root);
  } finally {
    restoreEnv(saved);
  }
  return kc;
}

function restoreEnv(saved: { host: string | undefined; port: string | undefined }): void {
  if (saved.host === undefined) delete process.env.KUBERNETES_SERVICE_HOST;
  else process.env.KUBERNETES_SERVICE_HOST = saved.host;
  if (saved.port === undefined) delete process.env.KUBERNETES_SERVICE_PORT;
  else process.env.KUBERNETES_SERVICE_PORT = saved.port;
}
