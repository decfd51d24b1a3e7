// Webhook admission in the simulated API server: the MutatingAdmissionWebhook and ValidatingAdmissionWebhook
// plugins (k8s.io/apiserver pkg/admission/plugin/webhook/mutating and validating dispatchers). Mutating webhooks
// are called one after another, each seeing the object as the previous one left it, and their JSONPatches applied;
// validating webhooks are called together on the final object and the first refusal (in configuration order)
// wins. A webhook is called when a rule, the namespace and object selectors and every matchCondition match. A call
// that fails, times out or answers nonsense refuses the request under failurePolicy Fail and is skipped under
// Ignore. A dry run is refused by a webhook whose sideEffects are not None or NoneOnDryRun. Writes of the webhook
// configurations themselves are never sent to webhooks, so a broken webhook can always be removed.
import { isDeepStrictEqual } from "node:util";
import jsonPatch from "fast-json-patch";
import { cloneJson, isRecord } from "../../../api/index.ts";
import { fromLabelSelectorObject, matchesLabels } from "../store/label-selector.ts";
import type { ObjectStore } from "../store/object-store.ts";
import type { KubeObject } from "../store/resource-kind.ts";
import { internalError } from "../store/status.ts";
import { dryRunUnsupported, matchConditionsFailed, webhookCallFailed, webhookDenied } from "./admission-errors.ts";
import {
  admissionRequest,
  admissionReview,
  verifyAdmissionResponse,
  type AdmissionAttributes,
  type AdmissionResponse,
} from "./admission-review.ts";
import { evaluateMatchConditions } from "./match-conditions.ts";
import { postToWebhook } from "./webhook-call.ts";
import { registeredWebhooks, type Webhook, type WebhookType } from "./webhook-configuration.ts";
import { resolveWebhookEndpoint } from "./webhook-endpoint.ts";
import { matchesAnyRule } from "./webhook-rules.ts";

/** Warnings a request can collect from webhooks (the API server bounds them too). */
const MAX_WARNINGS = 50;
const MAX_WARNING_LENGTH = 1024;

export class WebhookAdmission {
  readonly #store: ObjectStore;

  constructor(store: ObjectStore) {
    this.#store = store;
  }

  /** Whether any webhook is registered at all (so a cluster without any spares the dry-run writes). */
  active(): boolean {
    return (
      registeredWebhooks(this.#store, "mutating").length + registeredWebhooks(this.#store, "validating").length > 0
    );
  }

  /**
   * Runs the mutating webhooks; returns the object as they leave it (unchanged on DELETE). A webhook with
   * `reinvocationPolicy: IfNeeded` is called once more when a webhook after it changed the object
   * (the mutating dispatcher's webhookReinvokeContext).
   */
  async mutate(attributes: AdmissionAttributes, warnings: string[]): Promise<KubeObject | undefined> {
    let object = attributes.object;
    const called: Webhook[] = [];
    const reinvoke = new Set<Webhook>();
    const run = async (webhook: Webhook): Promise<boolean> => {
      const response = await this.#call(webhook, { ...attributes, ...(object ? { object } : {}) }, warnings);
      if (!response?.patch || !object) return false;
      if (response.patchType !== "JSONPatch") {
        this.#failed(webhook, `unsupported patch type ${JSON.stringify(response.patchType)}`);
        return false;
      }
      const patched = applyWebhookPatch(object, response.patch);
      const changed = !isDeepStrictEqual(patched, object);
      object = patched;
      return changed;
    };
    for (const webhook of this.#matching("mutating", attributes)) {
      if (await run(webhook))
        for (const earlier of called) if (earlier.reinvocationPolicy === "IfNeeded") reinvoke.add(earlier);
      called.push(webhook);
    }
    for (const webhook of called) if (reinvoke.has(webhook)) await run(webhook);
    return object;
  }

  /** Runs the validating webhooks on the final object; throws the first refusal. */
  async validate(attributes: AdmissionAttributes, warnings: string[]): Promise<void> {
    const webhooks = this.#matching("validating", attributes);
    const outcomes = await Promise.allSettled(webhooks.map((w) => this.#call(w, attributes, warnings)));
    for (const outcome of outcomes) if (outcome.status === "rejected") throw outcome.reason;
  }

  #matching(type: WebhookType, a: AdmissionAttributes): Webhook[] {
    if (a.kind.group === "admissionregistration.k8s.io" && a.kind.plural.endsWith("webhookconfigurations")) return [];
    const attributes = {
      operation: a.operation,
      group: a.kind.group,
      version: a.kind.version,
      resource: a.kind.plural,
      subresource: a.subresource,
      namespace: a.namespace,
    };
    return registeredWebhooks(this.#store, type).filter(
      (w) => matchesAnyRule(w.rules, attributes) && this.#namespaceMatches(w, a) && objectMatches(w.objectSelector, a),
    );
  }

  // predicates/namespace: cluster-scoped objects other than namespaces always match; a namespace is judged by
  // its own labels; anything else by its namespace's.
  #namespaceMatches(webhook: Webhook, a: AdmissionAttributes): boolean {
    const selector = fromLabelSelectorObject(webhook.namespaceSelector);
    if (!selector || selector.length === 0) return true;
    const isNamespace = a.kind.group === "" && a.kind.plural === "namespaces";
    if (!isNamespace && a.namespace === "") return true;
    let labels: unknown;
    if (isNamespace) labels = (a.object ?? a.oldObject)?.metadata?.labels;
    else {
      const namespaces = this.#store.registry.resource("", "v1", "namespaces");
      labels = namespaces ? this.#store.find(namespaces, undefined, a.namespace)?.metadata?.labels : undefined;
    }
    return matchesLabels(selector, isRecord(labels) ? (labels as Record<string, string>) : undefined);
  }

  // One webhook call with its failure policy applied: the response, undefined when skipped or ignored, or a throw.
  async #call(webhook: Webhook, a: AdmissionAttributes, warnings: string[]): Promise<AdmissionResponse | undefined> {
    const request = admissionRequest(a);
    const conditions = evaluateMatchConditions(webhook.matchConditions, {
      object: a.object,
      oldObject: a.oldObject,
      request,
    });
    if ("errors" in conditions) {
      if (webhook.failurePolicy === "Ignore") return undefined;
      throw matchConditionsFailed(a.kind, a.name, conditions.errors);
    }
    if (!conditions.matches) return undefined;
    if (a.dryRun && webhook.sideEffects !== "None" && webhook.sideEffects !== "NoneOnDryRun")
      throw dryRunUnsupported(webhook.name);
    if (!webhook.admissionReviewVersions.includes("v1"))
      return this.#failed(webhook, "webhook does not accept known AdmissionReview versions");
    const resolved = resolveWebhookEndpoint(this.#store, webhook.clientConfig, webhook.timeoutSeconds);
    if (!resolved.endpoint)
      return this.#failed(webhook, `failed to call webhook: Post "${resolved.url}": ${resolved.error ?? ""}`);
    const result = await postToWebhook(resolved.endpoint, admissionReview(request), {
      timeoutSeconds: webhook.timeoutSeconds,
      ...(webhook.clientConfig.caBundle !== undefined ? { caBundle: webhook.clientConfig.caBundle } : {}),
    });
    if ("error" in result)
      return this.#failed(webhook, `failed to call webhook: Post "${resolved.url}": ${result.error}`);
    const verified = verifyAdmissionResponse(request.uid, webhook.type === "mutating", result.response);
    if ("error" in verified) return this.#failed(webhook, `received invalid webhook response: ${verified.error}`);
    for (const warning of verified.response.warnings) {
      if (warnings.length < MAX_WARNINGS) warnings.push(warning.slice(0, MAX_WARNING_LENGTH));
    }
    if (!verified.response.allowed) throw webhookDenied(webhook.name, verified.response.status);
    return verified.response;
  }

  #failed(webhook: Webhook, reason: string): undefined {
    if (webhook.failurePolicy === "Ignore") return undefined;
    throw webhookCallFailed(webhook.name, reason);
  }
}

// predicates/object: the new or the old object's labels match.
function objectMatches(selector: unknown, a: AdmissionAttributes): boolean {
  const requirements = fromLabelSelectorObject(selector);
  if (!requirements || requirements.length === 0) return true;
  const labelsOf = (o: KubeObject | undefined): Record<string, string> | undefined =>
    isRecord(o?.metadata?.labels) ? (o.metadata.labels as Record<string, string>) : undefined;
  return [a.object, a.oldObject].some((o) => o !== undefined && matchesLabels(requirements, labelsOf(o)));
}

// The mutating dispatcher's patch step: a patch that does not decode or apply is an internal error whatever the
// failure policy, as upstream reports it.
function applyWebhookPatch(object: KubeObject, base64Patch: string): KubeObject {
  try {
    const patch = JSON.parse(Buffer.from(base64Patch, "base64").toString("utf8")) as unknown;
    if (!Array.isArray(patch)) throw new Error("a JSONPatch must be a list of operations");
    const result = jsonPatch.applyPatch(cloneJson(object), patch as jsonPatch.Operation[], true, false).newDocument;
    if (!isRecord(result)) throw new Error("the patched object is not an object");
    return result as KubeObject;
  } catch (error) {
    throw internalError((error as Error).message);
  }
}
