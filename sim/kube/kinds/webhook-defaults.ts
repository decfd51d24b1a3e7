// The defaults admissionregistration.k8s.io/v1 gives a webhook configuration when it is written
// (pkg/apis/admissionregistration/v1/defaults.go: SetDefaults_ValidatingWebhook, SetDefaults_MutatingWebhook,
// SetDefaults_Rule, SetDefaults_ServiceReference), so `kubectl get -o yaml` shows what the dispatcher applies.
import { isRecord } from "../../../api/index.ts";
import type { KubeObject } from "../store/resource-kind.ts";

export function defaultWebhooks(mutating: boolean): (configuration: KubeObject) => void {
  return (configuration) => {
    if (!Array.isArray(configuration.webhooks)) return;
    for (const webhook of configuration.webhooks.filter(isRecord)) {
      webhook.failurePolicy ??= "Fail";
      webhook.matchPolicy ??= "Equivalent";
      webhook.namespaceSelector ??= {};
      webhook.objectSelector ??= {};
      webhook.timeoutSeconds ??= 10;
      if (mutating) webhook.reinvocationPolicy ??= "Never";
      if (Array.isArray(webhook.rules)) for (const rule of webhook.rules.filter(isRecord)) rule.scope ??= "*";
      const clientConfig = webhook.clientConfig;
      if (isRecord(clientConfig) && isRecord(clientConfig.service)) clientConfig.service.port ??= 443;
    }
  };
}
