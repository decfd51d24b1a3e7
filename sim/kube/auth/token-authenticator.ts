// Bearer-token authentication (k8s.io/apiserver's bearertoken authenticator in front of a token store): the admin
// token of the kubeconfig, and ServiceAccount tokens the server itself issued through the TokenRequest API
// (`serviceaccounts/token`, what `kubectl create token` calls) or wrote into a service-account-token Secret. Tokens are opaque random strings kept here —
// nothing outside parses them — and a ServiceAccount token stops working when it expires or when its
// ServiceAccount is deleted (or recreated: the uid it was issued for must still be the account's), as the
// service-account authenticator's validation does.
import { randomBytes } from "node:crypto";
import { isRecord, type Clock } from "../../../api/index.ts";
import type { ObjectStore } from "../store/object-store.ts";
import { timestamp } from "../store/object-store.ts";
import type { KubeObject, ResourceKind } from "../store/resource-kind.ts";
import { invalid } from "../store/status.ts";
import { SERVICE_ACCOUNT_NAME_ANNOTATION, SERVICE_ACCOUNT_UID_ANNOTATION } from "./legacy-token-controller.ts";
import { ADMIN_USER, serviceAccountUser, type UserInfo } from "./user-info.ts";

/** TokenRequestSpec.expirationSeconds: one hour unless asked; at least ten minutes (ValidateTokenRequest). */
const DEFAULT_EXPIRATION_SECONDS = 3600;
const MIN_EXPIRATION_SECONDS = 600;
const MAX_EXPIRATION_SECONDS = 2 ** 32;

interface IssuedToken {
  namespace: string;
  name: string;
  uid: string;
  expiresAt: number;
}

export class TokenAuthenticator {
  readonly #adminToken: string;
  readonly #store: ObjectStore;
  readonly #serviceAccounts: ResourceKind;
  readonly #secrets: ResourceKind;
  readonly #clock: Clock;
  readonly #issued = new Map<string, IssuedToken>();
  /** Tokens written into Secrets by the legacy token controller: the Secret that holds each. */
  readonly #secretTokens = new Map<string, { namespace: string; name: string }>();

  constructor(options: {
    adminToken: string;
    store: ObjectStore;
    serviceAccounts: ResourceKind;
    secrets: ResourceKind;
    clock: Clock;
  }) {
    this.#adminToken = options.adminToken;
    this.#store = options.store;
    this.#serviceAccounts = options.serviceAccounts;
    this.#secrets = options.secrets;
    this.#clock = options.clock;
  }

  /** The user an `Authorization: Bearer …` header authenticates as; undefined for none or an unknown token. */
  authenticate(header: string | undefined): UserInfo | undefined {
    const token = /^Bearer\s+(.+)$/i.exec(header ?? "")?.[1]?.trim();
    if (token === undefined || token === "") return undefined;
    if (token === this.#adminToken) return ADMIN_USER;
    const inSecret = this.#secretTokens.get(token);
    if (inSecret) return this.#secretTokenUser(token, inSecret);
    const issued = this.#issued.get(token);
    if (!issued) return undefined;
    if (issued.expiresAt <= this.#clock.now().getTime()) {
      this.#issued.delete(token);
      return undefined;
    }
    const account = this.#store.find(this.#serviceAccounts, issued.namespace, issued.name);
    const meta = account?.metadata as Record<string, unknown> | undefined;
    if (!meta || meta.uid !== issued.uid || meta.deletionTimestamp !== undefined) return undefined;
    return serviceAccountUser(issued.namespace, issued.name);
  }

  /** POST serviceaccounts/{name}/token: a TokenRequest answered with its status (token, expirationTimestamp). */
  createToken(namespace: string, name: string, body: unknown): KubeObject {
    const account = this.#store.get(this.#serviceAccounts, namespace, name);
    const spec = isRecord(body) && isRecord(body.spec) ? { ...body.spec } : {};
    const requested = spec.expirationSeconds ?? DEFAULT_EXPIRATION_SECONDS;
    if (typeof requested !== "number" || !Number.isInteger(requested) || requested < MIN_EXPIRATION_SECONDS)
      throw invalid("authentication.k8s.io", "TokenRequest", name, [
        {
          field: "spec.expirationSeconds",
          type: "FieldValueInvalid",
          body: `Invalid value: ${JSON.stringify(requested)}: may not specify a duration less than 10 minutes`,
        },
      ]);
    const seconds = Math.min(requested, MAX_EXPIRATION_SECONDS);
    spec.expirationSeconds = seconds;
    spec.audiences ??= ["https://kubernetes.default.svc.cluster.local"];
    spec.boundObjectRef ??= null;
    this.#forgetExpired();
    const token = randomBytes(32).toString("base64url");
    const now = this.#clock.now();
    const expiresAt = now.getTime() + seconds * 1000;
    const meta = account.metadata as Record<string, unknown>;
    this.#issued.set(token, { namespace, name, uid: String(meta.uid), expiresAt });
    return {
      kind: "TokenRequest",
      apiVersion: "authentication.k8s.io/v1",
      metadata: { name, namespace, creationTimestamp: timestamp(now) },
      spec,
      status: { token, expirationTimestamp: timestamp(new Date(expiresAt)) },
    };
  }

  /** A new token for the legacy token controller to write into the Secret `namespace/name`. */
  newSecretToken(namespace: string, name: string): string {
    const token = randomBytes(32).toString("base64url");
    this.#secretTokens.set(token, { namespace, name });
    return token;
  }

  // The Secret must still hold the token, and the account it names must be the one (uid) it was filled for.
  #secretTokenUser(token: string, where: { namespace: string; name: string }): UserInfo | undefined {
    const secret = this.#store.find(this.#secrets, where.namespace, where.name);
    const data = (secret?.data ?? {}) as Record<string, string>;
    if (!secret || Buffer.from(data.token ?? "", "base64").toString("utf8") !== token) {
      this.#secretTokens.delete(token);
      return undefined;
    }
    const annotations = ((secret.metadata as Record<string, unknown>).annotations ?? {}) as Record<string, string>;
    const name = annotations[SERVICE_ACCOUNT_NAME_ANNOTATION] ?? "";
    const account = this.#store.find(this.#serviceAccounts, where.namespace, name);
    const meta = account?.metadata as Record<string, unknown> | undefined;
    if (!meta || meta.uid !== annotations[SERVICE_ACCOUNT_UID_ANNOTATION] || meta.deletionTimestamp !== undefined)
      return undefined;
    return serviceAccountUser(where.namespace, name);
  }

  #forgetExpired(): void {
    const now = this.#clock.now().getTime();
    for (const [token, issued] of this.#issued) if (issued.expiresAt <= now) this.#issued.delete(token);
  }
}
