// One HTTP connection pool (undici dispatcher) for the requests of one client, as client-go keeps one transport per
// rest config (transport.tlsCache): client-node's `applySecurityAuthentication` builds a new undici Agent — a new
// TLS context, no kept connection — for every request it authenticates. The REST client hands each request the
// shared one; client-node's Watch authenticates each watch itself, so it gets a view of the kubeconfig that does.
// The kubeconfig's TLS material is read once, as client-go reads it.
import type { KubeConfig, RequestContext } from "./client-node.ts";

export class SharedDispatcher {
  #dispatcher: ReturnType<RequestContext["getDispatcher"]>;

  /** Gives `context` the first dispatcher this saw in place of the one client-node just built for it. */
  adopt(context: RequestContext): void {
    const dispatcher = context.getDispatcher();
    if (dispatcher === undefined) return;
    this.#dispatcher ??= dispatcher;
    context.setDispatcher(this.#dispatcher);
  }

  /** `config`, whose authentication of a request also hands it the shared dispatcher. */
  kubeConfig(config: KubeConfig): KubeConfig {
    const view = Object.create(config) as KubeConfig;
    view.applySecurityAuthentication = async (context: RequestContext) => {
      await config.applySecurityAuthentication(context);
      this.adopt(context);
    };
    return view;
  }
}
