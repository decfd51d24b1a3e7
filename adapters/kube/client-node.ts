// The pieces of @kubernetes/client-node the adapter uses — KubeConfig (kubeconfig and in-cluster loading, every
// authentication and TLS setting), Watch, ListWatch, RequestContext and its fetch library — loaded without the
// generated API classes the adapter never calls. The package has no `exports` map, so its files import one by one;
// but its `config.js` imports two names (createConfiguration, ServerConfiguration, for `makeApiClient`) from
// `gen/index.js`, which re-exports every generated API class and model: about 19 MiB of RSS and 9 MiB of V8 heap at
// start-up (bench/module-cost.ts; docs/performance.md, "End to end"). A resolve hook (node:module registerHooks)
// hands that one import of that one file a module re-exporting the same two names from the same files of the
// package, so KubeConfig is client-node's own code, unchanged, and `makeApiClient` still works. The hook is
// registered before client-node's config.js is first resolved: this module imports it dynamically. The shipped
// bundle makes the same substitution at build time (scripts/bundle.ts) and does not run this module.
import { registerHooks } from "node:module";

const CONFIG = import.meta.resolve("@kubernetes/client-node/dist/config.js");
/** What config.js imports from gen/index.js, from the files gen/index.js takes them from. */
const CONFIG_IMPORTS =
  "data:text/javascript," +
  encodeURIComponent(
    `export { createConfiguration } from ${JSON.stringify(import.meta.resolve("@kubernetes/client-node/dist/gen/configuration.js"))};\n` +
      `export { ServerConfiguration } from ${JSON.stringify(import.meta.resolve("@kubernetes/client-node/dist/gen/servers.js"))};\n`,
  );

registerHooks({
  resolve(specifier, context, nextResolve) {
    // Passed on (not short-circuited), so hooks registered before this one see it too.
    const served = specifier === "./gen/index.js" && context.parentURL === CONFIG;
    return nextResolve(served ? CONFIG_IMPORTS : specifier, context);
  },
});

const config = await import("@kubernetes/client-node/dist/config.js");

export const { KubeConfig } = config;
export type KubeConfig = InstanceType<typeof config.KubeConfig>;
export { ListWatch } from "@kubernetes/client-node/dist/cache.js";
export { Watch } from "@kubernetes/client-node/dist/watch.js";
export { HttpMethod, RequestContext } from "@kubernetes/client-node/dist/gen/http/http.js";
export { IsomorphicFetchHttpLibrary } from "@kubernetes/client-node/dist/gen/http/isomorphic-fetch.js";
export type { KubernetesObject } from "@kubernetes/client-node/dist/types.js";
