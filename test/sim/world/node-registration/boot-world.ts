// The pieces a boot test needs, in process: the world's cloud and an object store on one fake clock, node
// registration over them, and Karpenter's own user data (test/fixtures/karpenter-user-data/, filled as
// Karpenter's tests fill it) to launch with.
import { readFileSync } from "node:fs";
import { ObjectStore, servedKindRegistry, type KubeObject } from "../../../../sim/index.ts";
import {
  Cloud,
  defaultScenario,
  loadInstanceTypes,
  type CloudScenario,
  type WorldInstanceType,
} from "../../../../sim/world/cloud/index.ts";
import type { Placement } from "../../../../sim/world/cloud/cloud.ts";
import { NodeRegistration, type NodeRegistrationOptions } from "../../../../sim/world/node-registration/index.ts";
import { FakeClock } from "../../../support/fake-clock.ts";

export const START = new Date("2026-02-02T08:00:00Z");
export const CLUSTER = "test-cluster";
export const PROFILE = `KarpenterNodeInstanceProfile-${CLUSTER}`;

let catalog: WorldInstanceType[] | undefined;
export const instanceTypes = () => (catalog ??= loadInstanceTypes());

const FIXTURES = new URL("../../../fixtures/karpenter-user-data/", import.meta.url);

/** A golden file filled as Karpenter's suite_test.go fills it: Sprintf(content, class, NodePoolLabelKey, pool). */
export function karpenterUserData(file: string, replace: (text: string) => string = (t) => t): string {
  const args = ["default", "karpenter.sh/nodepool", "default"];
  let next = 0;
  const text = readFileSync(new URL(file, FIXTURES), "utf8").replace(/%[s%]/g, (m) =>
    m === "%%" ? "%" : (args[next++] ?? ""),
  );
  return Buffer.from(replace(text), "utf8").toString("base64");
}

export interface BootWorld {
  clock: FakeClock;
  cloud: Cloud;
  store: ObjectStore;
  registration: NodeRegistration;
  nodes(): KubeObject[];
  /** An image id by its public SSM parameter, as Karpenter resolves an alias. */
  image(parameter: string): string;
  launch(placement: Partial<Placement>): string;
  stop(): void;
}

export function startBootWorld(
  scenario: Partial<CloudScenario> = {},
  options: Partial<NodeRegistrationOptions> = {},
): BootWorld {
  const clock = new FakeClock(START);
  const cloud = new Cloud({
    scenario: defaultScenario({ clusterName: CLUSTER, ...scenario }),
    instanceTypes: instanceTypes(),
    clock,
  });
  const store = new ObjectStore(servedKindRegistry(), { clock });
  const registration = new NodeRegistration(cloud, store, { clock, ...options }).start();
  const nodeKind = store.registry.resource("", "v1", "nodes");
  if (!nodeKind) throw new Error("no nodes kind");
  return {
    clock,
    cloud,
    store,
    registration,
    nodes: () => store.list(nodeKind).items,
    image(parameter) {
      const found = cloud.ssm.get(parameter);
      if (!found) throw new Error(`no parameter ${parameter}`);
      return found.value;
    },
    launch(placement) {
      const [instance] = cloud.launch(
        {
          instanceType: "m5.large",
          subnetId: cloud.scenario.subnets[0]?.id ?? "",
          imageId: "ami-0a00000000000a023",
          capacityType: "on-demand",
          securityGroupIds: [],
          tags: [],
          ...placement,
        },
        1,
      );
      if (!instance) throw new Error("nothing launched");
      return instance.id;
    },
    stop: () => registration.stop(),
  };
}
