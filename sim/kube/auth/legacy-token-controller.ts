// The legacy ServiceAccount token controller (pkg/controller/serviceaccount.TokensController): a Secret of type
// `kubernetes.io/service-account-token` naming a ServiceAccount in its `kubernetes.io/service-account.name`
// annotation is filled with a token for that account, the cluster's CA and the namespace, and marked with the
// account's uid. The token authenticates only while the Secret still holds it and the account with that uid
// exists. A Secret naming an account that does not exist is left unfilled (the real controller deletes it).
import type { ObjectStore, StoreWatch, WatchEvent } from "../store/object-store.ts";
import type { KubeObject, ResourceKind } from "../store/resource-kind.ts";
import type { TokenAuthenticator } from "./token-authenticator.ts";

export const SERVICE_ACCOUNT_TOKEN_TYPE = "kubernetes.io/service-account-token";
export const SERVICE_ACCOUNT_NAME_ANNOTATION = "kubernetes.io/service-account.name";
export const SERVICE_ACCOUNT_UID_ANNOTATION = "kubernetes.io/service-account.uid";

export function startLegacyTokenController(options: {
  store: ObjectStore;
  secrets: ResourceKind;
  serviceAccounts: ResourceKind;
  tokens: TokenAuthenticator;
  /** The cluster CA (PEM), written as `ca.crt`. */
  ca: string;
}): StoreWatch {
  const { store, secrets, serviceAccounts, tokens, ca } = options;
  const fill = (secret: KubeObject): void => {
    const meta = secret.metadata as { name: string; namespace: string; annotations?: Record<string, string> };
    const account = meta.annotations?.[SERVICE_ACCOUNT_NAME_ANNOTATION];
    const data = (secret.data ?? {}) as Record<string, string>;
    if (secret.type !== SERVICE_ACCOUNT_TOKEN_TYPE || !account || data.token) return;
    const found = store.find(serviceAccounts, meta.namespace, account);
    if (!found) return;
    const uid = String((found.metadata as Record<string, unknown>).uid);
    const current = store.find(secrets, meta.namespace, meta.name);
    if (!current) return;
    const token = tokens.newSecretToken(meta.namespace, meta.name);
    const b64 = (s: string) => Buffer.from(s, "utf8").toString("base64");
    const currentMeta = current.metadata as Record<string, unknown>;
    current.metadata = {
      ...currentMeta,
      annotations: { ...(currentMeta.annotations as object | undefined), [SERVICE_ACCOUNT_UID_ANNOTATION]: uid },
    };
    current.data = {
      ...(current.data as object | undefined),
      token: b64(token),
      "ca.crt": b64(ca),
      namespace: b64(meta.namespace),
    };
    store.update(secrets, meta.namespace, meta.name, current);
  };
  // Writes from inside a watch event would nest in the write that caused it: fill after it returns.
  return store.watch(secrets, {}, (event: WatchEvent) => {
    if (event.type === "ADDED" || event.type === "MODIFIED") queueMicrotask(() => fill(event.object));
  });
}
