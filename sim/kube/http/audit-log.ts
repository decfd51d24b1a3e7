// The API server's audit log (k8s.io/apiserver's audit, policy level Metadata, stage ResponseComplete): one entry
// per request with who asked (the authenticated user and the User-Agent), what (verb, resource, namespace, name,
// subresource, from the request's attributes as authorization reads them), when (the server's clock, when the
// request was received and when it was answered) and the response code. Kept in memory, newest last, for a test
// to read as an operator reads an audit backend: which replica wrote what, and when. Bounded: the newest 100,000.
import type { Clock } from "../../../api/index.ts";
import { requestAttributes } from "../auth/request-attributes.ts";

export interface AuditEntry {
  /** `user.username`, e.g. `system:serviceaccount:kube-system:poolkeeper`; `system:anonymous` before authentication. */
  user: string;
  userAgent: string;
  /** `get`, `list`, `watch`, `create`, `update`, `patch`, `delete`, `deletecollection`, or a lower-cased method. */
  verb: string;
  apiGroup: string;
  resource: string;
  subresource: string;
  namespace: string;
  name: string;
  /** Non-resource requests: the path. */
  path?: string;
  /** The server's clock, in milliseconds. */
  receivedAt: number;
  completedAt: number;
  code: number;
}

const KEPT = 100_000;

/** The verbs that change state: what "acting" means when a test asks who acted when. */
export const WRITE_VERBS: ReadonlySet<string> = new Set(["create", "update", "patch", "delete", "deletecollection"]);

export class AuditLog {
  readonly #entries: AuditEntry[] = [];
  readonly #clock: Clock;

  constructor(clock: Clock) {
    this.#clock = clock;
  }

  /** Every request answered so far (the newest 100,000), oldest first. */
  entries(): readonly AuditEntry[] {
    return this.#entries;
  }

  /** Starts an entry for a request; the returned function completes it with the user and the response code. */
  begin(method: string, url: URL, userAgent: string | undefined): (user: string, code: number) => void {
    const receivedAt = this.#clock.now().getTime();
    const attributes = requestAttributes(method, url);
    return (user, code) => {
      const what = attributes.resourceRequest
        ? {
            verb: attributes.verb,
            apiGroup: attributes.apiGroup,
            resource: attributes.resource,
            subresource: attributes.subresource,
            namespace: attributes.namespace,
            name: attributes.name,
          }
        : {
            verb: attributes.verb,
            apiGroup: "",
            resource: "",
            subresource: "",
            namespace: "",
            name: "",
            path: attributes.path,
          };
      this.#entries.push({
        user,
        userAgent: userAgent ?? "",
        ...what,
        receivedAt,
        completedAt: this.#clock.now().getTime(),
        code,
      });
      if (this.#entries.length > KEPT) this.#entries.splice(0, this.#entries.length - KEPT);
    };
  }
}
