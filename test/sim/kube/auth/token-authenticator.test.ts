// ServiceAccount tokens on the virtual clock: a token works until its expirationSeconds have passed (one hour by
// default, at least ten minutes: ValidateTokenRequest), and only while the ServiceAccount it was issued for —
// the same uid — exists. The admin token authenticates as kubeadm's admin user in system:masters.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { TokenAuthenticator } from "../../../../sim/kube/auth/token-authenticator.ts";
import { servedKindRegistry } from "../../../../sim/kube/kinds/index.ts";
import { ObjectStore } from "../../../../sim/kube/store/object-store.ts";
import { ApiError } from "../../../../sim/kube/store/status.ts";
import { FakeClock } from "../../../support/fake-clock.ts";

function setup() {
  const clock = new FakeClock(new Date("2026-01-01T00:00:00Z"));
  const registry = servedKindRegistry();
  const store = new ObjectStore(registry, { clock });
  const namespaces = registry.resource("", "v1", "namespaces");
  const serviceAccounts = registry.resource("", "v1", "serviceaccounts");
  const secrets = registry.resource("", "v1", "secrets");
  assert.ok(namespaces && serviceAccounts && secrets);
  store.create(namespaces, undefined, { metadata: { name: "team" } });
  store.create(serviceAccounts, "team", { metadata: { name: "sa" } });
  const tokens = new TokenAuthenticator({ adminToken: "admin-token", store, serviceAccounts, secrets, clock });
  return { clock, store, serviceAccounts, tokens };
}

const bearer = (token: string) => `Bearer ${token}`;

describe("token authentication", () => {
  test("the admin token, an unknown token and no token", () => {
    const { tokens } = setup();
    assert.deepEqual(tokens.authenticate(bearer("admin-token")), {
      name: "kubernetes-admin",
      groups: ["system:masters", "system:authenticated"],
    });
    assert.equal(tokens.authenticate(bearer("guess")), undefined);
    assert.equal(tokens.authenticate(undefined), undefined);
    assert.equal(tokens.authenticate("Basic YWRtaW46YWRtaW4="), undefined);
  });

  test("a TokenRequest's token expires after one hour by default", () => {
    const { clock, tokens } = setup();
    const response = tokens.createToken("team", "sa", { spec: {} }) as {
      spec: { expirationSeconds: number };
      status: { token: string; expirationTimestamp: string };
    };
    assert.equal(response.spec.expirationSeconds, 3600);
    assert.equal(response.status.expirationTimestamp, "2026-01-01T01:00:00Z");
    assert.deepEqual(tokens.authenticate(bearer(response.status.token)), {
      name: "system:serviceaccount:team:sa",
      groups: ["system:serviceaccounts", "system:serviceaccounts:team", "system:authenticated"],
    });
    clock.step(3600 * 1000 - 1);
    assert.ok(tokens.authenticate(bearer(response.status.token)));
    clock.step(1);
    assert.equal(tokens.authenticate(bearer(response.status.token)), undefined);
  });

  test("expirationSeconds below ten minutes is invalid; the token dies with its ServiceAccount's uid", () => {
    const { store, serviceAccounts, tokens } = setup();
    assert.throws(
      () => tokens.createToken("team", "sa", { spec: { expirationSeconds: 300 } }),
      (error: unknown) =>
        error instanceof ApiError &&
        error.code === 422 &&
        error.message ===
          'TokenRequest.authentication.k8s.io "sa" is invalid: spec.expirationSeconds: Invalid value: 300: may not specify a duration less than 10 minutes',
    );
    assert.throws(
      () => tokens.createToken("team", "nobody", {}),
      (error: unknown) => error instanceof ApiError && error.message === 'serviceaccounts "nobody" not found',
    );
    const token = (
      tokens.createToken("team", "sa", { spec: { expirationSeconds: 600 } }) as {
        status: { token: string };
      }
    ).status.token;
    store.delete(serviceAccounts, "team", "sa");
    store.create(serviceAccounts, "team", { metadata: { name: "sa" } });
    // Same name, new uid: the old token is not the new account's.
    assert.equal(tokens.authenticate(bearer(token)), undefined);
  });
});
