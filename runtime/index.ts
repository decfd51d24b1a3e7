// What every long-running command shares: structured logs, TLS material with hot reload, file watching, and
// connection draining for graceful shutdown.
export * from "./log.ts";
export * from "./file-watch.ts";
export * from "./tls.ts";
export * from "./connection-drain.ts";
