// `poolkeeper snapshot`: writes a ClusterSnapshot (controller/preview/cluster-snapshot.ts) of the cluster a
// kubeconfig names — its Nodes, pods, NodeClaims, PDBs and DaemonSets, read once through the Cluster port, cut down
// to what scheduling and disruption read — with the offerings of the instance-type catalog in the nodes' zones, for
// `poolkeeper plan --snapshot`.
import { writeFileSync } from "node:fs";
import { KubeCluster, KubeConfigError, loadKubeConfig } from "../../adapters/index.ts";
import { type ClusterResource, systemClock } from "../../api/index.ts";
import { catalogInstanceTypes, LABEL_ZONE } from "../../cloudprovider/index.ts";
import { exportClusterSnapshot } from "../../controller/index.ts";
import { InputError } from "../input-files.ts";
import type { Output } from "../output.ts";
import { loadCatalog } from "./check.ts";

export interface SnapshotOptions {
  kubeconfig?: string;
  context?: string;
  output?: string;
  catalog?: string;
  /** Zones to offer the catalog's types in; the nodes' zones by default. */
  zones?: string;
  region?: string;
  cluster?: string;
  /** Seconds to wait for the API server's lists. */
  timeout: string;
}

const LABEL_REGION = "topology.kubernetes.io/region";
const RESOURCES: readonly ClusterResource[] = ["nodes", "pods", "nodeclaims", "poddisruptionbudgets", "daemonsets"];

export async function runSnapshot(options: SnapshotOptions, out: Output): Promise<number> {
  const timeoutSeconds = Number(options.timeout);
  if (!Number.isFinite(timeoutSeconds) || timeoutSeconds <= 0) {
    throw new InputError(`--timeout ${options.timeout}: expected a number of seconds above 0`);
  }
  const catalog = loadCatalog(options.catalog);
  let kubeConfig;
  try {
    kubeConfig = loadKubeConfig(
      options.kubeconfig === undefined
        ? { inCluster: true }
        : { kubeconfig: options.kubeconfig, ...(options.context === undefined ? {} : { context: options.context }) },
    );
  } catch (error) {
    if (error instanceof KubeConfigError) throw new InputError(error.message);
    throw error;
  }
  const cluster = new KubeCluster({ kubeConfig, component: "poolkeeper-snapshot", resyncPeriodMs: 0 });
  let timer: NodeJS.Timeout | undefined;
  try {
    const timedOut = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new InputError(`the API server did not list ${RESOURCES.join(", ")} within ${timeoutSeconds} s`)),
        timeoutSeconds * 1000,
      );
    });
    await Promise.race([cluster.start(RESOURCES), timedOut]);
    const nodes = cluster.list("nodes");
    const zones =
      options.zones?.split(",").filter((z) => z !== "") ??
      [...new Set(nodes.flatMap((n) => n.metadata.labels?.[LABEL_ZONE] ?? []))].sort();
    if (zones.length === 0) {
      throw new InputError("no node has a topology.kubernetes.io/zone label: name the zones to offer with --zones");
    }
    const region = options.region ?? nodes.flatMap((n) => n.metadata.labels?.[LABEL_REGION] ?? [])[0];
    const document = exportClusterSnapshot({
      nodes,
      pods: cluster.list("pods"),
      nodeClaims: cluster.list("nodeclaims"),
      podDisruptionBudgets: cluster.list("poddisruptionbudgets"),
      daemonSets: cluster.list("daemonsets"),
      instanceTypes: catalogInstanceTypes(catalog, { zones, ...(region === undefined ? {} : { region }) }),
      takenAt: systemClock.now(),
      cluster: options.cluster,
      region,
    });
    const text = `${JSON.stringify(document, null, 2)}\n`;
    if (options.output === undefined || options.output === "-") out.stdout(text);
    else {
      try {
        writeFileSync(options.output, text);
      } catch (error) {
        throw new InputError(`${options.output}: cannot write the snapshot (${(error as Error).message})`);
      }
      out.stderr(
        `wrote ${options.output}: ${document.nodes.length} nodes, ${document.pods.length} pods, ` +
          `${document.nodeClaims.length} NodeClaims, ${document.offerings.length} offerings\n`,
      );
    }
    return 0;
  } finally {
    clearTimeout(timer);
    await cluster.stop();
  }
}
