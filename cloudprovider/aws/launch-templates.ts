/**
 * Launch templates, one per distinct launch configuration (aws:pkg/providers/launchtemplate/launchtemplate.go):
 * named `karpenter.k8s.aws/<hash of what it holds>`, so equal configurations share one and a changed EC2NodeClass
 * gets a new one; created on first use (an existing one of the name is taken as it is), remembered with the time
 * of last use, and garbage-collected once unused for a while (Karpenter deletes a template when it leaves its
 * cache) or when their EC2NodeClass goes.
 */
import { AwsApiError, type Clock, type Ec2Port, type LaunchTemplateData, NotFound, type Tag } from "../../api/index.ts";
import { stableHash } from "./hash.ts";
import { clusterTagKey, TAG_EKS_CLUSTER_NAME, TAG_NODE_CLASS } from "./tags.ts";

export const LAUNCH_TEMPLATE_NAME_PREFIX = "karpenter.k8s.aws";
/** Unused this long, a template is deleted by `garbageCollect`. */
export const LAUNCH_TEMPLATE_TTL_MS = 5 * 60_000;

export function launchTemplateName(data: LaunchTemplateData): string {
  return `${LAUNCH_TEMPLATE_NAME_PREFIX}/${stableHash(data).slice(0, 20)}`;
}

export class LaunchTemplates {
  readonly #ec2: Ec2Port;
  readonly #clock: Clock;
  readonly #clusterName: string;
  readonly #ttlMs: number;
  readonly #lastUsed = new Map<string, number>();

  constructor(options: { ec2: Ec2Port; clock: Clock; clusterName: string; ttlMs?: number }) {
    this.#ec2 = options.ec2;
    this.#clock = options.clock;
    this.#clusterName = options.clusterName;
    this.#ttlMs = options.ttlMs ?? LAUNCH_TEMPLATE_TTL_MS;
  }

  /** The template's name, created first when this process has not used it yet. */
  async ensure(data: LaunchTemplateData, nodeClassName: string): Promise<string> {
    const name = launchTemplateName(data);
    if (!this.#lastUsed.has(name)) {
      try {
        await this.#ec2.createLaunchTemplate(name, data, this.#tags(nodeClassName));
      } catch (error) {
        // Created earlier (by this controller before a restart, or a replica): the name says it holds the same.
        if (!(error instanceof AwsApiError && error.code === "InvalidLaunchTemplateName.AlreadyExistsException")) {
          throw error;
        }
      }
    }
    this.#lastUsed.set(name, this.#clock.now().getTime());
    return name;
  }

  /** Forgets a template EC2 says is gone, so the next launch creates it again (`InvalidateCache`). */
  forget(name: string): void {
    this.#lastUsed.delete(name);
  }

  /**
   * Deletes the cluster's templates not used within the TTL: by this process's record, or, for ones it has not
   * used, by their creation time. Returns the names deleted.
   */
  async garbageCollect(): Promise<string[]> {
    const now = this.#clock.now().getTime();
    const templates = await this.#ec2.describeLaunchTemplates({
      filters: [{ name: `tag:${TAG_EKS_CLUSTER_NAME}`, values: [this.#clusterName] }],
    });
    const deleted: string[] = [];
    for (const template of templates) {
      if (!template.name.startsWith(`${LAUNCH_TEMPLATE_NAME_PREFIX}/`)) continue;
      const used = this.#lastUsed.get(template.name) ?? template.createTime.getTime();
      if (now - used < this.#ttlMs) continue;
      await this.#delete(template.name);
      deleted.push(template.name);
    }
    return deleted;
  }

  /** Deletes every template of an EC2NodeClass (its finalizer, `DeleteAll`). */
  async deleteAll(nodeClassName: string): Promise<string[]> {
    const templates = await this.#ec2.describeLaunchTemplates({
      filters: [
        { name: `tag:${TAG_EKS_CLUSTER_NAME}`, values: [this.#clusterName] },
        { name: `tag:${TAG_NODE_CLASS}`, values: [nodeClassName] },
      ],
    });
    for (const template of templates) await this.#delete(template.name);
    return templates.map((t) => t.name);
  }

  async #delete(name: string): Promise<void> {
    this.#lastUsed.delete(name);
    try {
      await this.#ec2.deleteLaunchTemplate(name);
    } catch (error) {
      if (!(error instanceof NotFound)) throw error;
    }
  }

  #tags(nodeClassName: string): Tag[] {
    return [
      { key: clusterTagKey(this.#clusterName), value: "owned" },
      { key: TAG_EKS_CLUSTER_NAME, value: this.#clusterName },
      { key: TAG_NODE_CLASS, value: nodeClassName },
    ];
  }
}
