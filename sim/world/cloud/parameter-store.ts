// The world's SSM Parameter Store: the public parameters AWS publishes under /aws/service/ (the EKS-optimized
// images' ids, which Karpenter resolves for an `alias` AMI selector) and a scenario's own (an `ssmParameter` AMI
// selector term). Read-only here: GetParameter, GetParameters and GetParametersByPath are what Karpenter and the
// CLI use. Hierarchy as SSM keeps it: `/a/b/c` is a child of `/a/b`, a grandchild of `/a`.
export interface SsmParameter {
  name: string;
  value: string;
  /** String, StringList or SecureString. */
  type: "String" | "StringList" | "SecureString";
  /** `aws:ec2:image` for image ids (SSM then checks the value is an AMI), else `text`. */
  dataType: "text" | "aws:ec2:image";
  version: number;
  lastModified: number;
  /** The ARN: public parameters live in no account (`arn:aws:ssm:REGION::parameter/aws/service/…`). */
  arn: string;
}

export class ParameterStore {
  readonly #parameters = new Map<string, SsmParameter>();

  put(parameter: SsmParameter): void {
    this.#parameters.set(parameter.name, parameter);
  }

  /** The parameter of that name (a name without a leading slash is the same as with one, as SSM treats it). */
  get(name: string): SsmParameter | undefined {
    return this.#parameters.get(name) ?? this.#parameters.get(name.startsWith("/") ? name : `/${name}`);
  }

  /**
   * The parameters under `path` (a hierarchy, `/` alone for the root): its children, or every descendant when
   * `recursive`, in name order so that pages are stable.
   */
  byPath(path: string, recursive: boolean): SsmParameter[] {
    const prefix = path.endsWith("/") ? path : `${path}/`;
    return [...this.#parameters.values()]
      .filter((p) => p.name.startsWith(prefix) && (recursive || !p.name.slice(prefix.length).includes("/")))
      .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }
}
