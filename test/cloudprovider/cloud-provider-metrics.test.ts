// Every cloud provider call counted by method and error class, and timed on the clock.
import assert from "node:assert/strict";
import { test } from "node:test";
import { Registry } from "prom-client";
import type { EC2NodeClass, NodeClaim } from "../../api/index.ts";
import { instrumentCloudProvider } from "../../cloudprovider/index.ts";
import { createCloudProviderMetrics } from "../../controller/index.ts";
import { NodeClaimNotFoundError } from "../../cloudprovider/errors.ts";
import type { CloudProvider } from "../../cloudprovider/cloud-provider.ts";
import { FakeClock } from "../support/fake-clock.ts";

test("calls_total by method and error; the duration histogram reads the clock", async () => {
  const clock = new FakeClock(new Date("2026-01-05T10:00:00Z"));
  const inner: CloudProvider = {
    create: async (claim: NodeClaim) => {
      clock.step(2_000);
      return claim;
    },
    delete: () => Promise.reject(new NodeClaimNotFoundError("gone")),
    get: () => Promise.reject(new Error("boom")),
    list: async () => [],
    getInstanceTypes: async () => [],
    isDrifted: async () => undefined,
    markUnavailable: () => undefined,
  };
  const registry = new Registry();
  const provider = instrumentCloudProvider(inner, createCloudProviderMetrics(registry), clock);
  const claim = { metadata: { name: "a" } } as NodeClaim;
  await provider.create(claim);
  await assert.rejects(provider.delete(claim), NodeClaimNotFoundError);
  await assert.rejects(provider.get("aws:///x/i-1"), /boom/);
  await provider.getInstanceTypes({} as never, {} as EC2NodeClass);
  provider.markUnavailable("m5.large", "us-west-2a", "spot", "test");

  const text = await registry.metrics();
  for (const line of [
    'poolkeeper_cloudprovider_calls_total{method="create",error=""} 1',
    'poolkeeper_cloudprovider_calls_total{method="delete",error="NodeClaimNotFoundError"} 1',
    'poolkeeper_cloudprovider_calls_total{method="get",error="other"} 1',
    'poolkeeper_cloudprovider_calls_total{method="getInstanceTypes",error=""} 1',
    'poolkeeper_cloudprovider_calls_total{method="markUnavailable",error=""} 1',
    'poolkeeper_cloudprovider_call_duration_seconds_sum{method="create"} 2',
    'poolkeeper_cloudprovider_call_duration_seconds_bucket{le="1",method="create"} 0',
    'poolkeeper_cloudprovider_call_duration_seconds_bucket{le="2.5",method="create"} 1',
  ]) {
    assert.ok(text.includes(line), `${line}\n---\n${text}`);
  }
});
