// The simulated cluster's Kubernetes API over HTTPS: discovery, OpenAPI v3, and get / list / watch / create /
// update / patch / delete on every served kind and its status subresource, with Table responses for kubectl,
// authentication and RBAC (sim/kube/auth/) and the API server's Status errors. The store does the work; this file
// maps the REST protocol onto it (k8s.io/apiserver/pkg/endpoints/handlers).
import { randomBytes } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { cloneJson, isRecord, systemClock, type Clock, type TimerClock } from "../../../api/index.ts";
import type { Logger } from "../../../runtime/index.ts";
import { recordUpdate, type FieldManagerScope } from "../apply/field-manager.ts";
import { managerOrUserAgent, validateFieldManager } from "../apply/manager-name.ts";
import { applyManager, fieldManagerScope, prepareApply } from "../apply/store-apply.ts";
import type { AdmissionAttributes } from "../admission/admission-review.ts";
import { WebhookAdmission } from "../admission/webhook-admission.ts";
import { AccessControl, installBootstrapPolicy } from "../auth/access-control.ts";
import { AuditLog } from "./audit-log.ts";
import { decodeProtobufRequest } from "../auth/protobuf-requests.ts";
import { ADMIN_USER, type UserInfo } from "../auth/user-info.ts";
import { initialObjects, servedKindRegistry } from "../kinds/index.ts";
import { parseFieldSelector, type FieldSelector } from "../store/field-selector.ts";
import type { KindRegistry } from "../store/kind-registry.ts";
import { parseLabelSelector, type LabelSelector } from "../store/label-selector.ts";
import type { StoreLimits } from "../store/limits.ts";
import { ObjectStore, type DeletionPropagation, type StoreWatch, type WatchEvent } from "../store/object-store.ts";
import { apiVersionOf, type KubeObject, type ResourceKind } from "../store/resource-kind.ts";
import { pruneUnknownFields } from "../store/schema.ts";
import {
  ApiError,
  badRequest,
  internalError,
  invalid,
  methodNotSupported,
  successStatus,
  type KubeStatus,
} from "../store/status.ts";
import { ApiFaults } from "./api-faults.ts";
import { apiGroup, apiGroupList, apiResourceList, apiVersions, versionInfo } from "./discovery.ts";
import { kubeconfigYaml } from "./kubeconfig.ts";
import { listenHttps, type Listener } from "./listen.ts";
import {
  API_SERVER_IN_FLIGHT_LIMITS,
  withMaxInFlightLimit,
  type InFlightFilter,
  type InFlightLimits,
} from "./max-in-flight.ts";
import { listJson, watchedObjectJson } from "./object-json.ts";
import { openApiDocuments, type OpenApiDocuments } from "./openapi.ts";
import { applyPatch, PATCH_TYPES } from "./patch.ts";
import { parseRequestPath } from "./request-info.ts";
import { MAX_BODY_BYTES, parseBody, readBody } from "./request-body.ts";
import { type CertificateAuthority, createServingCertificate } from "./serving-cert.ts";
import { partialObjectMetadata, toTable, type IncludeObject } from "./table.ts";

export interface KubeApiServerOptions {
  /** 127.0.0.1 by default. */
  host?: string;
  /** 0 (any free port) by default. */
  port?: number;
  clock?: TimerClock;
  /** Serve this store (a world's, made by createClusterStore) instead of a new one. */
  store?: ObjectStore;
  /** Seeds the fault plan's draws; 0 by default. */
  seed?: number;
  /** Where the serving certificate's files go (see listen.ts); a temporary directory by default. */
  dir?: string;
  /** The admin bearer token; random by default. */
  token?: string;
  logger?: Logger;
  limits?: Partial<StoreLimits> & { maxBodyBytes?: number };
  /** Requests served at once before the rest are answered 429 (max-in-flight.ts); kube-apiserver's by default. */
  inFlight?: InFlightLimits;
  /** How often watches that allow bookmarks get one; 60 s by default, as the API server. */
  bookmarkIntervalMs?: number;
  /** The longest a watch stays open before the server ends it (clients then re-watch); 30 min by default. */
  maxWatchSeconds?: number;
  /** The CA that issues the serving certificate (one shared with the simulated AWS); a new one by default. */
  authority?: CertificateAuthority;
}

export interface KubeApiServer {
  /** `https://127.0.0.1:<port>` */
  url: string;
  port: number;
  /** The CA (PEM) that signed the serving certificate. */
  ca: string;
  token: string;
  store: ObjectStore;
  registry: KindRegistry;
  /** Faults on demand (api-faults.ts): 5xx, 429, slow answers, dropped watches. */
  faults: ApiFaults;
  /** The max-in-flight filter's refusals (429s). */
  inFlight: Pick<InFlightFilter, "refused" | "untilRefused">;
  /** Every request answered: who, what, when (audit-log.ts). */
  audit: AuditLog;
  /** A kubeconfig for the admin user (YAML). */
  kubeconfig(options?: { namespace?: string }): string;
  close(): Promise<void>;
}

type FieldValidation = "Strict" | "Warn" | "Ignore";

interface Selection {
  namespace?: string;
  labelSelector?: LabelSelector;
  fieldSelector?: FieldSelector;
}

interface Paging {
  limit?: number;
  continue?: string;
  resourceVersion?: string;
  resourceVersionMatch?: "Exact" | "NotOlderThan";
}

interface Call {
  req: IncomingMessage;
  res: ServerResponse;
  url: URL;
  warnings: string[];
  /** Who is asking, once authenticated (admission webhooks are told). */
  user: UserInfo;
  /** Whether `user` was authenticated (else the request was refused before). */
  admitted: boolean;
}

/** Starts the API server with a new store holding the initial objects (namespaces, priority classes, CRDs). */
export async function startKubeApiServer(options: KubeApiServerOptions = {}): Promise<KubeApiServer> {
  const clock = options.clock ?? systemClock;
  const store = options.store ?? createClusterStore({ clock, limits: options.limits ?? {} });
  const registry = store.registry;
  const token = options.token ?? randomBytes(24).toString("base64url");
  const certificate = createServingCertificate(undefined, undefined, options.authority);
  const access = new AccessControl({ adminToken: token, store, registry, clock, ca: certificate.ca });
  const audit = new AuditLog(clock);
  const handler = new ApiHandler(store, registry, {
    access,
    audit,
    clock,
    ...(options.logger ? { logger: options.logger } : {}),
    maxBodyBytes: options.limits?.maxBodyBytes ?? MAX_BODY_BYTES,
    maxWatchSeconds: options.maxWatchSeconds ?? 1800,
  });
  const faults = new ApiFaults({ seed: options.seed ?? 0, clock });
  const inFlight = withMaxInFlightLimit(
    faults.wrap((req, res) => void handler.handle(req, res)),
    options.inFlight ?? API_SERVER_IN_FLIGHT_LIMITS,
  );
  const listener: Listener = await listenHttps(
    {
      host: options.host ?? "127.0.0.1",
      port: options.port ?? 0,
      cert: certificate.cert,
      key: certificate.key,
      ...(options.dir !== undefined ? { dir: options.dir } : {}),
      ...(options.logger ? { logger: options.logger } : {}),
    },
    inFlight.handler,
  );
  handler.serverAddress = `${listener.host}:${listener.port}`;
  const bookmarks = setInterval(() => store.emitBookmarks(), options.bookmarkIntervalMs ?? 60_000);
  bookmarks.unref();
  const url = `https://${listener.host}:${listener.port}`;
  return {
    url,
    port: listener.port,
    ca: certificate.ca,
    token,
    store,
    registry,
    faults,
    inFlight,
    audit,
    kubeconfig: (o = {}) => kubeconfigYaml({ server: url, ca: certificate.ca, token, ...o }),
    close: async () => {
      clearInterval(bookmarks);
      access.close();
      handler.closeWatches();
      await listener.close();
    },
  };
}

/** A new cluster's store: every served kind, the initial objects (namespaces, priority classes, CRDs) and RBAC's bootstrap policy. */
export function createClusterStore(options: { clock?: Clock; limits?: Partial<StoreLimits> } = {}): ObjectStore {
  const registry = servedKindRegistry();
  const store = new ObjectStore(registry, { clock: options.clock ?? systemClock, limits: options.limits ?? {} });
  for (const { resource, object } of initialObjects()) {
    const kind = registry.resource(...resource);
    if (kind) store.create(kind, undefined, object);
  }
  installBootstrapPolicy(store, registry);
  return store;
}

interface HandlerOptions {
  access: AccessControl;
  audit: AuditLog;
  clock: Clock;
  /** Where unexpected errors are logged; nowhere by default. */
  logger?: Logger;
  maxBodyBytes: number;
  maxWatchSeconds: number;
}

class ApiHandler {
  serverAddress = "127.0.0.1:443";
  readonly #store: ObjectStore;
  readonly #registry: KindRegistry;
  readonly #options: HandlerOptions;
  readonly #openapi: OpenApiDocuments;
  readonly #watches = new Set<() => void>();
  readonly #admission: WebhookAdmission;

  constructor(store: ObjectStore, registry: KindRegistry, options: HandlerOptions) {
    this.#store = store;
    this.#admission = new WebhookAdmission(store);
    this.#registry = registry;
    this.#options = options;
    this.#openapi = openApiDocuments(registry);
  }

  closeWatches(): void {
    for (const end of this.#watches) end();
  }

  async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const call: Call = {
      req,
      res,
      url: new URL(req.url ?? "/", "https://sim.invalid"),
      warnings: [],
      user: ADMIN_USER,
      admitted: false,
    };
    const audited = this.#options.audit.begin(req.method ?? "GET", call.url, req.headers["user-agent"]);
    try {
      await this.#route(call);
    } catch (error) {
      if (error instanceof ApiError) {
        this.#send(call, error.code, error.status);
      } else {
        this.#options.logger?.error({ error: (error as Error).message, path: call.url.pathname }, "request failed");
        const status = internalError((error as Error).message);
        this.#send(call, 500, status.status);
      }
    } finally {
      audited(call.admitted ? call.user.name : "system:anonymous", res.statusCode);
    }
  }

  async #route(call: Call): Promise<void> {
    const path = call.url.pathname.replace(/\/+$/, "") || "/";
    if (path === "/healthz" || path === "/livez" || path === "/readyz") {
      call.res.writeHead(200, { "content-type": "text/plain; charset=utf-8" }).end("ok");
      return;
    }
    const method = call.req.method ?? "GET";
    const user = this.#options.access.admit(method, call.url, call.req.headers.authorization);
    call.user = user;
    call.admitted = true;
    const endpoint = this.#options.access.endpoint(method, path, user);
    if (endpoint) return this.#send(call, 201, endpoint(await this.#accessBody(call, path)));
    if (path === "/version") return this.#send(call, 200, versionInfo());
    if (path === "/api") return this.#send(call, 200, apiVersions(this.serverAddress));
    if (path === "/apis") return this.#send(call, 200, apiGroupList(this.#registry));
    if (path === "/openapi/v3") return this.#send(call, 200, this.#openapi.index);
    if (path.startsWith("/openapi/v3/")) {
      const document = this.#openapi.documents.get(path.slice("/openapi/v3/".length));
      if (!document) throw notFoundPath();
      call.res.writeHead(200, { "content-type": "application/json", etag: `"${document.hash}"` }).end(document.body);
      return;
    }
    const segments = path.split("/").filter((s) => s !== "");
    if (segments[0] === "apis" && segments.length === 2) {
      const versions = this.#registry
        .groupVersions()
        .filter((gv) => gv.group === segments[1])
        .map((gv) => gv.version);
      if (versions.length === 0) throw notFoundPath();
      return this.#send(call, 200, apiGroup(segments[1] as string, versions));
    }
    if ((segments[0] === "api" && segments.length === 2) || (segments[0] === "apis" && segments.length === 3)) {
      const group = segments[0] === "api" ? "" : (segments[1] as string);
      const list = apiResourceList(this.#registry, group, segments[segments.length - 1] as string);
      if (!list) throw notFoundPath();
      return this.#send(call, 200, list);
    }
    const info = parseRequestPath(path);
    if (info.type !== "resource") throw notFoundPath();
    const kind = this.#registry.resource(info.group, info.version, info.resource);
    if (!kind || (info.namespace !== undefined && !kind.namespaced)) throw notFoundPath();
    const namespace = kind.namespaced ? info.namespace : undefined;
    if (info.subresource !== undefined && !kind.subresources.includes(info.subresource)) throw notFoundPath();
    return this.#resource(call, kind, namespace, info.name, info.subresource);
  }

  async #resource(
    call: Call,
    kind: ResourceKind,
    namespace: string | undefined,
    name: string | undefined,
    subresource: string | undefined,
  ): Promise<void> {
    const method = call.req.method ?? "GET";
    const q = call.url.searchParams;
    const dryRun = q.getAll("dryRun").includes("All");
    const gr = { group: kind.group, resource: kind.plural };
    if (name === undefined) {
      if (method === "GET")
        return q.get("watch") === "true" || q.get("watch") === "1"
          ? this.#watch(call, kind, namespace)
          : this.#list(call, kind, namespace);
      if (method === "POST") {
        if (kind.namespaced && namespace === undefined) throw methodNotSupported(gr, "create");
        const manager = this.#manager(call, "CreateOptions");
        const scope = this.#scope(kind, undefined);
        const body = await this.#decode(call, kind, await this.#body(call));
        const created = await this.#admitted(
          call,
          { operation: "CREATE", kind, namespace, name: String(body.metadata?.name ?? ""), dryRun },
          body,
          (object, dry) =>
            this.#store.create(kind, namespace, object, {
              dryRun: dry,
              fieldManager: (next) => recordUpdate(undefined, next, manager, scope),
            }),
        );
        return this.#sendObject(call, 201, kind, created);
      }
      if (method === "DELETE") return this.#deleteCollection(call, kind, namespace, dryRun);
      throw methodNotSupported(gr, method.toLowerCase());
    }
    if (kind.namespaced && namespace === undefined) throw notFoundPath();
    if (subresource !== undefined && subresource !== "status") {
      const replace = kind.updates?.[subresource];
      if (method === "PUT" && replace) {
        const body = await this.#body(call);
        if (!isRecord(body)) throw badRequest(`the body of a ${subresource} request must be an object`);
        const current = this.#store.get(kind, namespace, name);
        const updated = await this.#admitted(
          call,
          { operation: "UPDATE", kind, namespace, name, subresource, dryRun, oldObject: current },
          replace(current, body as KubeObject),
          (object, dry) => this.#store.update(kind, namespace, name, object, { dryRun: dry, allFields: true }),
        );
        return this.#sendObject(call, 200, kind, updated);
      }
      const action = kind.actions?.[subresource];
      if (method !== "POST" || !action)
        throw methodNotSupported(
          { group: kind.group, resource: `${kind.plural}/${subresource}` },
          method.toLowerCase(),
        );
      const body = await this.#body(call);
      if (!isRecord(body)) throw badRequest(`the body of a ${subresource} request must be an object`);
      const admitted = await this.#admitAction(call, kind, namespace, name, subresource, body as KubeObject, dryRun);
      if (!dryRun) action(this.#store, kind, { namespace, name }, admitted);
      return this.#send(call, 201, successStatus());
    }
    const status = subresource === "status" ? ("status" as const) : undefined;
    switch (method) {
      case "GET":
        return this.#sendObject(call, 200, kind, this.#store.get(kind, namespace, name));
      case "PUT": {
        const manager = this.#manager(call, "UpdateOptions");
        const scope = this.#scope(kind, status);
        const body = await this.#decode(call, kind, await this.#body(call));
        const updated = await this.#admitted(
          call,
          {
            operation: "UPDATE",
            kind,
            namespace,
            name,
            subresource,
            dryRun,
            oldObject: this.#store.find(kind, namespace, name),
          },
          body,
          (object, dry) =>
            this.#store.update(kind, namespace, name, object, {
              dryRun: dry,
              ...(status ? { subresource: status } : {}),
              fieldManager: (next, live) => recordUpdate(live, next, manager, scope),
            }),
        );
        return this.#sendObject(call, 200, kind, updated);
      }
      case "PATCH": {
        const contentType = (call.req.headers["content-type"] ?? "").split(";")[0]?.trim() ?? "";
        if (contentType === PATCH_TYPES.apply) return this.#apply(call, kind, namespace, name, status, dryRun);
        if (q.has("force"))
          throw invalid("meta.k8s.io", "PatchOptions", "", [
            {
              field: "force",
              type: "FieldValueForbidden",
              body: "Forbidden: may not be specified for non-apply patch",
            },
          ]);
        const manager = this.#manager(call, "PatchOptions");
        const scope = this.#scope(kind, status);
        const patch = await this.#body(call);
        const current = this.#store.get(kind, namespace, name);
        const patched = applyPatch(kind, contentType, current, patch);
        const meta = (isRecord(patched.metadata) ? patched.metadata : {}) as Record<string, unknown>;
        // A patch that names a resourceVersion makes it a precondition; otherwise it applies to the current one.
        const patchMeta = isRecord(patch) && isRecord(patch.metadata) ? patch.metadata : undefined;
        if (patchMeta?.resourceVersion === undefined)
          meta.resourceVersion = (current.metadata as Record<string, unknown>).resourceVersion;
        patched.metadata = meta;
        const body = await this.#decode(call, kind, patched);
        const updated = await this.#admitted(
          call,
          { operation: "UPDATE", kind, namespace, name, subresource, dryRun, oldObject: current },
          body,
          (object, dry) =>
            this.#store.update(kind, namespace, name, object, {
              dryRun: dry,
              ...(status ? { subresource: status } : {}),
              fieldManager: (next, live) => recordUpdate(live, next, manager, scope),
            }),
        );
        return this.#sendObject(call, 200, kind, updated);
      }
      case "DELETE": {
        if (status) throw methodNotSupported({ group: kind.group, resource: `${kind.plural}/status` }, "delete");
        const options = await this.#deleteOptions(call);
        await this.#admitDelete(call, kind, this.#store.get(kind, namespace, name), dryRun || options.dryRun === true);
        const result = this.#store.delete(kind, namespace, name, {
          ...options,
          graceful: true,
          dryRun: dryRun || options.dryRun === true,
        });
        if (!result.deleted) return this.#sendObject(call, 200, kind, result.object);
        const meta = result.object.metadata as Record<string, unknown>;
        return this.#send(
          call,
          200,
          successStatus({ name, group: kind.group, kind: kind.plural, uid: String(meta.uid ?? "") }),
        );
      }
      default:
        throw methodNotSupported(gr, method.toLowerCase());
    }
  }

  // Server-side apply (PATCH with application/apply-patch+yaml): the configuration merged with field ownership,
  // creating the object when it does not exist (201), as the API server's applyPatcher with forceAllowCreate. The
  // merged object goes through admission as a CREATE when there was none, an UPDATE otherwise (patcher's
  // applyAdmission).
  async #apply(
    call: Call,
    kind: ResourceKind,
    namespace: string | undefined,
    name: string,
    status: "status" | undefined,
    dryRun: boolean,
  ): Promise<void> {
    const q = call.url.searchParams;
    const manager = applyManager(q.get("fieldManager"));
    const force = q.get("force") === "true";
    if (!["true", "false", null].includes(q.get("force")))
      throw badRequest(`force: Invalid value: "${q.get("force")}": must be true or false`);
    const config = await this.#decode(call, kind, await this.#body(call));
    const prepared = prepareApply(this.#store, {
      kind,
      namespace,
      name,
      config,
      manager,
      force,
      ...(status ? { subresource: status } : {}),
    });
    const { current } = prepared;
    const stored = await this.#admitted(
      call,
      current
        ? { operation: "UPDATE", kind, namespace, name, subresource: status, dryRun, oldObject: current }
        : { operation: "CREATE", kind, namespace, name, subresource: status, dryRun },
      prepared.object,
      prepared.write,
    );
    return this.#sendObject(call, current ? 200 : 201, kind, stored);
  }

  // The manager a write is recorded as; a fieldManager the client names must be valid.
  #manager(call: Call, options: "CreateOptions" | "UpdateOptions" | "PatchOptions"): string {
    const fieldManager = call.url.searchParams.get("fieldManager");
    if (fieldManager) {
      const causes = validateFieldManager(fieldManager);
      if (causes.length > 0) throw invalid("meta.k8s.io", options, "", causes);
    }
    return managerOrUserAgent(fieldManager, call.req.headers["user-agent"]);
  }

  #scope(kind: ResourceKind, subresource: "status" | undefined): FieldManagerScope {
    return fieldManagerScope(kind, subresource, this.#options.clock.now());
  }

  #list(call: Call, kind: ResourceKind, namespace: string | undefined): void {
    const q = call.url.searchParams;
    const result = this.#store.list(kind, {
      ...this.#selection(call, namespace),
      ...this.#paging(call),
      readOnly: true,
    });
    const listMeta: Record<string, unknown> = { resourceVersion: result.resourceVersion };
    if (result.continue) listMeta.continue = result.continue;
    if (result.remainingItemCount !== undefined) listMeta.remainingItemCount = result.remainingItemCount;
    const accept = call.req.headers.accept ?? "";
    if (accept.includes("as=Table")) {
      return this.#send(
        call,
        200,
        toTable(kind, result.items, {
          now: this.#options.clock.now(),
          includeObject: includeObject(q.get("includeObject")),
          listMeta,
        }),
      );
    }
    if (accept.includes("as=PartialObjectMetadataList")) {
      return this.#send(call, 200, {
        kind: "PartialObjectMetadataList",
        apiVersion: "meta.k8s.io/v1",
        metadata: listMeta,
        items: result.items.map(partialObjectMetadata),
      });
    }
    // The items are the stored objects (readOnly): their encodings are cached.
    this.#sendJson(
      call,
      200,
      listJson({ kind: `${kind.kind}List`, apiVersion: apiVersionOf(kind), metadata: listMeta }, result.items),
    );
  }

  #watch(call: Call, kind: ResourceKind, namespace: string | undefined): void {
    const q = call.url.searchParams;
    const table = (call.req.headers.accept ?? "").includes("as=Table");
    const include = includeObject(q.get("includeObject"));
    const selection = this.#selection(call, namespace);
    const { res } = call;
    let headed = false;
    let firstTable = true;
    let corked = false;
    let watch: StoreWatch | undefined;
    const pending: WatchEvent[] = [];
    const write = (event: WatchEvent): void => {
      let object: KubeObject = event.object;
      if (table && (event.type === "ADDED" || event.type === "MODIFIED" || event.type === "DELETED")) {
        object = toTable(kind, [event.object], {
          now: this.#options.clock.now(),
          includeObject: include,
          noHeaders: !firstTable,
        });
        firstTable = false;
      }
      // Events written in one burst of the store's writes go out as one TLS record, not one each: corked until
      // the burst is over (the next tick), which is most of a watch's cost at thousands of events a second.
      if (!corked) {
        corked = true;
        res.cork();
        process.nextTick(() => {
          corked = false;
          res.uncork();
        });
      }
      // The object is the stored one, shared by every watcher: encoded once per change, not once per watcher.
      res.write(`{"type":${JSON.stringify(event.type)},"object":${watchedObjectJson(object)}}\n`);
    };
    const sink = (event: WatchEvent): void => {
      if (headed) write(event);
      else pending.push(event);
    };
    let expiredStatus: KubeStatus | undefined;
    try {
      watch = this.#store.watch(
        kind,
        {
          ...selection,
          ...(q.has("resourceVersion") ? { resourceVersion: q.get("resourceVersion") as string } : {}),
          allowWatchBookmarks: q.get("allowWatchBookmarks") === "true",
          sendInitialEvents: q.get("sendInitialEvents") === "true",
          readOnly: true,
        },
        sink,
      );
    } catch (error) {
      // A version older than the window is reported in the stream, as the watch cache does (an ERROR event).
      if (!(error instanceof ApiError) || error.code !== 410) throw error;
      expiredStatus = error.status;
    }
    res.writeHead(200, {
      "content-type": "application/json",
      "cache-control": "no-cache, private",
      ...this.#warningHeaders(call),
    });
    res.flushHeaders();
    headed = true;
    if (expiredStatus) {
      res.end(`${JSON.stringify({ type: "ERROR", object: expiredStatus })}\n`);
      return;
    }
    for (const event of pending.splice(0)) write(event);
    const requested = Number(q.get("timeoutSeconds") ?? "0");
    const seconds = requested > 0 ? Math.min(requested, this.#options.maxWatchSeconds) : this.#options.maxWatchSeconds;
    const end = (): void => {
      watch?.stop();
      clearTimeout(timer);
      this.#watches.delete(end);
      if (!res.writableEnded) res.end();
    };
    const timer = setTimeout(end, seconds * 1000);
    timer.unref();
    this.#watches.add(end);
    call.req.on("close", end);
    res.on("close", end);
  }

  async #deleteCollection(
    call: Call,
    kind: ResourceKind,
    namespace: string | undefined,
    dryRun: boolean,
  ): Promise<void> {
    const { items } = this.#store.list(kind, this.#selection(call, namespace));
    const deleted: KubeObject[] = [];
    for (const item of items) {
      const meta = item.metadata as Record<string, unknown>;
      await this.#admitDelete(call, kind, item, dryRun);
      deleted.push(
        this.#store.delete(kind, meta.namespace as string | undefined, meta.name as string, { dryRun, graceful: true })
          .object,
      );
    }
    this.#send(call, 200, {
      kind: `${kind.kind}List`,
      apiVersion: apiVersionOf(kind),
      metadata: { resourceVersion: String(this.#store.resourceVersion) },
      items: deleted,
    });
  }

  // A write through admission (mutating webhooks, then the store's own defaulting and validation as a dry run,
  // then validating webhooks on that result, then the write), as the API server's handlers and registry order it.
  // Without any registered webhook the write goes straight to the store.
  async #admitted(
    call: Call,
    request: {
      operation: "CREATE" | "UPDATE";
      kind: ResourceKind;
      namespace: string | undefined;
      name: string;
      subresource?: string | undefined;
      dryRun: boolean;
      oldObject?: KubeObject | undefined;
    },
    body: KubeObject,
    write: (object: KubeObject, dryRun: boolean) => KubeObject,
  ): Promise<KubeObject> {
    if (!this.#admission.active()) return write(body, request.dryRun);
    const attributes: AdmissionAttributes = {
      operation: request.operation,
      kind: request.kind,
      subresource: request.subresource ?? "",
      namespace: admissionNamespace(request.kind, request.namespace, request.name),
      name: request.name,
      dryRun: request.dryRun,
      user: call.user,
      ...(request.oldObject ? { oldObject: request.oldObject } : {}),
    };
    const mutated = (await this.#admission.mutate({ ...attributes, object: body }, call.warnings)) ?? body;
    const result = write(mutated, true);
    const name = String(result.metadata?.name ?? request.name);
    await this.#admission.validate(
      { ...attributes, name, namespace: admissionNamespace(request.kind, request.namespace, name), object: result },
      call.warnings,
    );
    if (request.dryRun) return result;
    // A generated name is the one the validating webhooks were shown.
    const metadata = (isRecord(mutated.metadata) ? mutated.metadata : {}) as Record<string, unknown>;
    mutated.metadata = { ...metadata, name };
    return write(mutated, false);
  }

  // A subresource action (pods/eviction, pods/binding) is a CREATE of that subresource, carrying its own kind.
  async #admitAction(
    call: Call,
    kind: ResourceKind,
    namespace: string | undefined,
    name: string,
    subresource: string,
    body: KubeObject,
    dryRun: boolean,
  ): Promise<KubeObject> {
    if (!this.#admission.active()) return body;
    const [group, version] = String(body.apiVersion ?? "").includes("/")
      ? String(body.apiVersion).split("/", 2)
      : ["", String(body.apiVersion ?? "")];
    const fallback = ACTION_KINDS[subresource];
    const attributes: AdmissionAttributes = {
      operation: "CREATE",
      kind,
      subresource,
      namespace: admissionNamespace(kind, namespace, name),
      name,
      dryRun,
      user: call.user,
      object: body,
      ...(typeof body.kind === "string" && version
        ? { objectKind: { group: group ?? "", version, kind: body.kind } }
        : fallback
          ? { objectKind: fallback }
          : {}),
    };
    const mutated = (await this.#admission.mutate(attributes, call.warnings)) ?? body;
    await this.#admission.validate({ ...attributes, object: mutated }, call.warnings);
    return mutated;
  }

  async #admitDelete(call: Call, kind: ResourceKind, current: KubeObject, dryRun: boolean): Promise<void> {
    if (!this.#admission.active()) return;
    const name = String(current.metadata?.name ?? "");
    const attributes: AdmissionAttributes = {
      operation: "DELETE",
      kind,
      subresource: "",
      namespace: admissionNamespace(kind, current.metadata?.namespace as string | undefined, name),
      name,
      dryRun,
      user: call.user,
      oldObject: current,
    };
    await this.#admission.mutate(attributes, call.warnings);
    await this.#admission.validate(attributes, call.warnings);
  }

  #selection(call: Call, namespace: string | undefined): Selection {
    const q = call.url.searchParams;
    const out: Selection = {};
    if (namespace !== undefined) out.namespace = namespace;
    const labels = q.get("labelSelector");
    if (labels) out.labelSelector = parseLabelSelector(labels);
    const fields = q.get("fieldSelector");
    if (fields) out.fieldSelector = parseFieldSelector(fields);
    return out;
  }

  #paging(call: Call): Paging {
    const q = call.url.searchParams;
    const out: Paging = {};
    const limit = q.get("limit");
    if (limit !== null) {
      if (!/^\d+$/.test(limit)) throw badRequest(`limit: Invalid value: "${limit}": must be a non-negative integer`);
      out.limit = Number(limit);
    }
    const cont = q.get("continue");
    if (cont) out.continue = cont;
    const rv = q.get("resourceVersion");
    if (rv !== null) out.resourceVersion = rv;
    const match = q.get("resourceVersionMatch");
    if (match === "Exact" || match === "NotOlderThan") out.resourceVersionMatch = match;
    else if (match)
      throw badRequest(
        `resourceVersionMatch: Unsupported value: "${match}": supported values: "Exact", "NotOlderThan"`,
      );
    return out;
  }

  // client-go's typed clients send protobuf for built-in kinds: the access endpoints read it.
  async #accessBody(call: Call, path: string): Promise<unknown> {
    const contentType = call.req.headers["content-type"] ?? "application/json";
    if (!contentType.includes("protobuf")) return this.#body(call);
    return decodeProtobufRequest(path, await readBody(call.req, this.#options.maxBodyBytes));
  }

  async #body(call: Call): Promise<unknown> {
    const raw = await readBody(call.req, this.#options.maxBodyBytes);
    return parseBody(raw, call.req.headers["content-type"] ?? "application/json");
  }

  // The decoder's field validation: unknown fields are refused (Strict), dropped with a warning (Warn, the
  // default) or dropped silently (Ignore), as the API server's strict decoding and pruning do.
  async #decode(call: Call, kind: ResourceKind, body: unknown): Promise<KubeObject> {
    if (!isRecord(body))
      throw badRequest(
        `${kind.kind} in version "${kind.version}" cannot be handled as a ${kind.kind}: the body must be a JSON object`,
      );
    const object = cloneJson(body) as KubeObject;
    const mode = fieldValidation(call.url.searchParams.get("fieldValidation"));
    const unknown = pruneUnknownFields(kind.schema, object);
    if (unknown.length > 0) {
      if (mode === "Strict") {
        throw badRequest(
          `${kind.kind} in version "${kind.version}" cannot be handled as a ${kind.kind}: strict decoding error: ${unknown.map((f) => `unknown field "${f}"`).join(", ")}`,
        );
      }
      if (mode === "Warn") call.warnings.push(...unknown.map((f) => `unknown field "${f}"`));
    }
    return object;
  }

  async #deleteOptions(call: Call): Promise<{
    propagationPolicy?: DeletionPropagation;
    preconditions?: { uid?: string; resourceVersion?: string };
    dryRun?: boolean;
    gracePeriodSeconds?: number;
  }> {
    const q = call.url.searchParams;
    const body = await this.#body(call);
    const options = (isRecord(body) ? body : {}) as {
      propagationPolicy?: unknown;
      preconditions?: unknown;
      dryRun?: unknown;
      orphanDependents?: unknown;
      gracePeriodSeconds?: unknown;
    };
    const out: {
      propagationPolicy?: DeletionPropagation;
      preconditions?: { uid?: string; resourceVersion?: string };
      dryRun?: boolean;
      gracePeriodSeconds?: number;
    } = {};
    const grace = options.gracePeriodSeconds ?? q.get("gracePeriodSeconds") ?? undefined;
    if (grace !== undefined && grace !== null) {
      const seconds = typeof grace === "string" && /^-?\d+$/.test(grace) ? Number(grace) : grace;
      if (typeof seconds !== "number" || !Number.isInteger(seconds))
        throw badRequest(`gracePeriodSeconds: Invalid value: ${JSON.stringify(grace)}: must be an integer`);
      out.gracePeriodSeconds = seconds;
    }
    let policy = options.propagationPolicy ?? q.get("propagationPolicy") ?? undefined;
    if (policy === undefined && (options.orphanDependents === true || q.get("orphanDependents") === "true"))
      policy = "Orphan";
    if (policy !== undefined) {
      if (policy !== "Background" && policy !== "Foreground" && policy !== "Orphan") {
        throw badRequest(
          `propagationPolicy: Unsupported value: "${String(policy)}": supported values: "Foreground", "Background", "Orphan"`,
        );
      }
      out.propagationPolicy = policy;
    }
    if (isRecord(options.preconditions))
      out.preconditions = options.preconditions as { uid?: string; resourceVersion?: string };
    if (Array.isArray(options.dryRun) && options.dryRun.includes("All")) out.dryRun = true;
    return out;
  }

  #sendObject(call: Call, code: number, kind: ResourceKind, object: KubeObject): void {
    const accept = call.req.headers.accept ?? "";
    if (accept.includes("as=Table")) {
      return this.#send(
        call,
        code,
        toTable(kind, [object], {
          now: this.#options.clock.now(),
          includeObject: includeObject(call.url.searchParams.get("includeObject")),
        }),
      );
    }
    if (accept.includes("as=PartialObjectMetadata")) return this.#send(call, code, partialObjectMetadata(object));
    this.#send(call, code, object);
  }

  #warningHeaders(call: Call): Record<string, string[]> {
    if (call.warnings.length === 0) return {};
    // Go writes a header's UTF-8 bytes as they are (webhook warnings are often not ASCII); node:http takes header
    // values as Latin-1, so the bytes go through it one character each. Control characters become spaces.
    return {
      warning: call.warnings.map((w) =>
        Buffer.from(`299 - ${JSON.stringify(withoutControlCharacters(w))}`, "utf8").toString("latin1"),
      ),
    };
  }

  #send(call: Call, code: number, body: unknown): void {
    this.#sendJson(call, code, JSON.stringify(body));
  }

  #sendJson(call: Call, code: number, json: string): void {
    if (call.res.headersSent) {
      if (!call.res.writableEnded) call.res.end();
      return;
    }
    call.res.writeHead(code, { "content-type": "application/json", ...this.#warningHeaders(call) });
    call.res.end(json);
  }
}

function withoutControlCharacters(text: string): string {
  return Array.from(text, (c) => (c.charCodeAt(0) < 0x20 || c === "\u007f" ? " " : c)).join("");
}

/** The kinds a subresource action's body has when it does not say. */
const ACTION_KINDS: Record<string, { group: string; version: string; kind: string }> = {
  eviction: { group: "policy", version: "v1", kind: "Eviction" },
  binding: { group: "", version: "v1", kind: "Binding" },
};

/** admission.Attributes' namespace: a namespace object's requests carry its own name. */
function admissionNamespace(kind: ResourceKind, namespace: string | undefined, name: string): string {
  if (kind.group === "" && kind.plural === "namespaces") return name;
  return kind.namespaced ? (namespace ?? "") : "";
}

function notFoundPath(): ApiError {
  return new ApiError(404, "NotFound", "the server could not find the requested resource", {});
}

function includeObject(value: string | null): IncludeObject {
  return value === "Object" || value === "None" ? value : "Metadata";
}

function fieldValidation(value: string | null): FieldValidation {
  if (value === null || value === "") return "Warn";
  if (value === "Strict" || value === "Warn" || value === "Ignore") return value;
  throw badRequest(`fieldValidation: Unsupported value: "${value}": supported values: "Ignore", "Strict", "Warn"`);
}
