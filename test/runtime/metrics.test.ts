// The metrics every long-running command shares: names as docs/webhook.md lists them, help texts as the webhook
// exported them before they moved here (dashboards and alerts match on both).
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { Counter } from "prom-client";
import { createRegistry, sharedMetric, tlsMetrics } from "../../runtime/metrics.ts";

describe("runtime metrics", () => {
  test("createRegistry: the Node.js process metrics by default, none when turned off", async () => {
    const text = await createRegistry().metrics();
    assert.match(text, /^process_cpu_user_seconds_total /m);
    assert.match(text, /^nodejs_heap_size_used_bytes /m);
    assert.deepEqual(await createRegistry({ processMetrics: false }).getMetricsAsJSON(), []);
  });

  test("tlsMetrics: the two certificate metrics, shared by every server on one registry", async () => {
    const registry = createRegistry({ processMetrics: false });
    const first = tlsMetrics(registry);
    const second = tlsMetrics(registry);
    assert.equal(second.tlsReloadErrors, first.tlsReloadErrors);
    assert.equal(second.certificateExpiry, first.certificateExpiry);
    first.certificateExpiry.set(1_800_000_000);
    second.tlsReloadErrors.inc();
    const text = await registry.metrics();
    assert.equal(
      text,
      [
        "# HELP poolkeeper_tls_reload_errors_total Serving certificate reloads that failed; the previous certificate stays in use.",
        "# TYPE poolkeeper_tls_reload_errors_total counter",
        "poolkeeper_tls_reload_errors_total 1",
        "",
        "# HELP poolkeeper_tls_certificate_expiry_timestamp_seconds Expiry (notAfter) of the serving certificate in use, in seconds since the epoch.",
        "# TYPE poolkeeper_tls_certificate_expiry_timestamp_seconds gauge",
        "poolkeeper_tls_certificate_expiry_timestamp_seconds 1800000000",
        "",
      ].join("\n"),
    );
  });

  test("sharedMetric creates a metric once per registry", () => {
    const registry = createRegistry({ processMetrics: false });
    const other = createRegistry({ processMetrics: false });
    let created = 0;
    const make = (r: typeof registry) => () => {
      created++;
      return new Counter({ name: "example_total", help: "An example.", registers: [r] });
    };
    const a = sharedMetric(registry, "example_total", make(registry));
    assert.equal(sharedMetric(registry, "example_total", make(registry)), a);
    assert.notEqual(sharedMetric(other, "example_total", make(other)), a);
    assert.equal(created, 2);
  });
});
